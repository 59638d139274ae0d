/*
 * reduce.cl - deterministic reductions: sum and sum of squares, column sums, column mean and
 * population variance, row argmax, row softmax.
 *
 * Every reduction runs per-work-item serial loops in a fixed order, then a fixed-order tree in
 * local memory (ember_group_sum), so results depend only on the data, the shape and the tunables
 * below, never on scheduling: the same inputs give the same bits on every run.
 * Layout: row-major rows x cols; flat arrays for sum.
 *   sum_partial + sum_final: two passes; pass 1 writes one partial per work-group (group g sums
 *     the contiguous chunk [g*chunk, (g+1)*chunk)), pass 2 sums the partials with one group.
 *   column kernels: 2-D groups of COL_TILE columns x ROW_LANES row lanes; lane l sums rows
 *     l, l + ROW_LANES, ... and the lanes are combined in a fixed tree; column_sums may also split
 *     the rows into chunks (a second dimension of groups) whose partial sums it adds up again.
 *   row kernels (argmax, softmax): `lanes` work-items per row (a power of two the host picks from
 *     the row length, ReductionLayout.rowLanes), RED_WG / lanes rows per work-group.
 * Tunables (the host passes matching launch sizes):
 *   RED_WG     work-group size of the 1-D reductions, a power of two (default 256)
 *   COL_TILE   columns per work-group in column reductions (default 16)
 *   ROW_LANES  row lanes per column in column reductions, a power of two (default 16)
 * Called by: Backend.sum, sumSquares, columnSums, columnMeanVariance, rowArgmax, softmax.
 */
#include "ember_common.h"

#ifndef RED_WG
#define RED_WG 256 /* work-items per group for 1-D and row reductions (power of two) */
#endif
#ifndef COL_TILE
#define COL_TILE 16 /* columns handled by one work-group in column reductions */
#endif
#ifndef ROW_LANES
#define ROW_LANES 16 /* row lanes per column in column reductions (power of two) */
#endif

/* sum_partial(x, n, chunk, squares, partial): partial[g] = sum over group g's chunk of x (or x^2) */
KERNEL void sum_partial(GLOBAL const float *x, const ember_i64 n, const ember_i64 chunk, const int squares,
                        GLOBAL float *partial) {
    LOCAL_ARRAY float scratch[RED_WG];
    int lid = get_local_id(0);
    ember_i64 start = (ember_i64)get_group_id(0) * chunk;
    ember_i64 end = start + chunk < n ? start + chunk : n;
    float acc = 0.0f;
    for (ember_i64 i = start + lid; i < end; i += RED_WG) {
        float v = x[i];
        acc += squares ? v * v : v;
    }
    float total = ember_group_sum(scratch, acc, lid, RED_WG);
    if (lid == 0) {
        partial[get_group_id(0)] = total;
    }
}

/* sum_final(partial, count, out, out_index): out[out_index] = sum of partial[0..count) (one group) */
KERNEL void sum_final(GLOBAL const float *partial, const int count, GLOBAL float *out, const int out_index) {
    LOCAL_ARRAY float scratch[RED_WG];
    int lid = get_local_id(0);
    float total = ember_group_sum_array(scratch, partial, count, lid, RED_WG);
    if (lid == 0) {
        out[out_index] = total;
    }
}

/* Sum over rows of column c by lane (rows lane, lane + ROW_LANES, ...), then a fixed tree over lanes.
 * scratch holds COL_TILE x ROW_LANES floats; every work-item returns its column's total. */
INLINE float column_tree(LOCAL_PTR float *scratch, float acc, int tc, int lane) {
    scratch[tc * ROW_LANES + lane] = acc;
    LOCAL_BARRIER();
    for (int s = ROW_LANES >> 1; s > 0; s >>= 1) {
        if (lane < s) {
            scratch[tc * ROW_LANES + lane] = scratch[tc * ROW_LANES + lane] + scratch[tc * ROW_LANES + lane + s];
        }
        LOCAL_BARRIER();
    }
    float total = scratch[tc * ROW_LANES];
    LOCAL_BARRIER();
    return total;
}

/* column_sums(x, out, rows, cols, beta, chunk_rows): group (g, h) sums rows [h * chunk_rows, (h + 1) * chunk_rows)
 * of its COL_TILE columns and writes out[h * cols + c] = beta * out[h * cols + c] + that sum (out not read when
 * beta == 0). With one chunk (chunk_rows >= rows) that is out[c] = beta * out[c] + sum_r x[r, c]. A tall matrix
 * is summed in two launches: chunks of rows into a chunks x cols partial (beta 0), then the partial's columns
 * (one chunk), so that a few hundred columns still fill a GPU; the split depends only on rows (the host's
 * ReductionLayout.columnChunkRows), so the sums are reproducible.
 * Launch: local (COL_TILE, ROW_LANES), global (ceil(cols / COL_TILE) * COL_TILE, chunks * ROW_LANES). */
KERNEL void column_sums(GLOBAL const float *x, GLOBAL float *out, const int rows, const int cols,
                        const float beta, const int chunk_rows) {
    LOCAL_ARRAY float scratch[COL_TILE * ROW_LANES];
    int tc = get_local_id(0), lane = get_local_id(1);
    int c = get_group_id(0) * COL_TILE + tc;
    int h = get_group_id(1);
    int start = h * chunk_rows;
    int end = rows - start < chunk_rows ? rows : start + chunk_rows;
    float acc = 0.0f;
    if (c < cols) {
        for (int r = start + lane; r < end; r += ROW_LANES) {
            acc += x[(ember_i64)r * cols + c];
        }
    }
    float total = column_tree(scratch, acc, tc, lane);
    if (c < cols && lane == 0) {
        GLOBAL float *o = out + (ember_i64)h * cols + c;
        *o = beta == 0.0f ? total : beta * *o + total;
    }
}

/* column_mean_var(x, mean, var, rows, cols): mean[c], population var[c] (two passes over the column).
 * Launch as column_sums. */
KERNEL void column_mean_var(GLOBAL const float *x, GLOBAL float *mean, GLOBAL float *var, const int rows,
                            const int cols) {
    LOCAL_ARRAY float scratch[COL_TILE * ROW_LANES];
    int tc = get_local_id(0), lane = get_local_id(1);
    int c = get_group_id(0) * COL_TILE + tc;
    float acc = 0.0f;
    if (c < cols) {
        for (int r = lane; r < rows; r += ROW_LANES) {
            acc += x[(ember_i64)r * cols + c];
        }
    }
    float mu = column_tree(scratch, acc, tc, lane) / (float)rows;
    float q = 0.0f;
    if (c < cols) {
        for (int r = lane; r < rows; r += ROW_LANES) {
            float d = x[(ember_i64)r * cols + c] - mu;
            q += d * d;
        }
    }
    float sq = column_tree(scratch, q, tc, lane);
    if (c < cols && lane == 0) {
        mean[c] = mu;
        var[c] = sq / (float)rows;
    }
}

/* Whether candidate (v, i) beats (w, j) for argmax, as torch.argmax orders them: NaN above every
 * number, then the larger value; among NaNs or equal values (0 and -0 included) the lower index.
 * A total order on (value, index), so any tree of combines gives the first-NaN-or-first-max index. */
INLINE int argmax_beats(float v, int i, float w, int j) {
    if (ISNAN(v)) {
        return !ISNAN(w) || i < j;
    }
    return !ISNAN(w) && (v > w || (v == w && i < j));
}

/* row_argmax(x, out, rows, cols, lanes): out[r] = index of the first NaN of row r, else of its first maximum
 * (torch.argmax). `lanes` work-items per row (ReductionLayout.rowLanes), RED_WG / lanes rows per group. */
KERNEL void row_argmax(GLOBAL const float *x, GLOBAL float *out, const int rows, const int cols, const int lanes) {
    LOCAL_ARRAY float sv[RED_WG];
    LOCAL_ARRAY int si[RED_WG];
    int lid = get_local_id(0);
    int lane = lid & (lanes - 1);
    int r = get_group_id(0) * (RED_WG / lanes) + lid / lanes;
    float bv = 0.0f;
    int bi = -1; /* -1: this work-item saw no column (cols < lanes, or a row past the end) */
    if (r < rows) {
        GLOBAL const float *row = x + (ember_i64)r * cols;
        for (int c = lane; c < cols; c += lanes) {
            float v = row[c];
            if (bi < 0 || argmax_beats(v, c, bv, bi)) {
                bv = v;
                bi = c;
            }
        }
    }
    sv[lid] = bv;
    si[lid] = bi;
    LOCAL_BARRIER();
    for (int s = lanes >> 1; s > 0; s >>= 1) {
        if (lane < s) {
            float ov = sv[lid + s];
            int oi = si[lid + s];
            if (oi >= 0 && (si[lid] < 0 || argmax_beats(ov, oi, sv[lid], si[lid]))) {
                sv[lid] = ov;
                si[lid] = oi;
            }
        }
        LOCAL_BARRIER();
    }
    if (lane == 0 && r < rows) {
        out[r] = (float)si[lid]; /* cols >= 1, so lane 0 saw column 0 and si[lid] >= 0 */
    }
}

/* softmax_rows(x, y, rows, cols, lanes): y[r, :] = softmax(x[r, :]), max-subtracted; y may alias x.
 * `lanes` work-items per row, RED_WG / lanes rows per group, as row_argmax. */
KERNEL void softmax_rows(GLOBAL const float *x, GLOBAL float *y, const int rows, const int cols, const int lanes) {
    LOCAL_ARRAY float scratch[RED_WG];
    int lid = get_local_id(0);
    int lane = lid & (lanes - 1);
    LOCAL_PTR float *seg = scratch + (lid - lane);
    int r = get_group_id(0) * (RED_WG / lanes) + lid / lanes;
    int n = r < rows ? cols : 0; /* a row past the end reads nothing but joins every barrier */
    ember_i64 o = (ember_i64)(r < rows ? r : 0) * cols;
    float m = -EMBER_INF;
    for (int c = lane; c < n; c += lanes) {
        m = FMAXF(m, x[o + c]);
    }
    m = ember_group_max(seg, m, lane, lanes);
    float s = 0.0f;
    for (int c = lane; c < n; c += lanes) {
        float e = EXPF(x[o + c] - m);
        y[o + c] = e;
        s += e;
    }
    s = ember_group_sum(seg, s, lane, lanes);
    float inv = 1.0f / s;
    for (int c = lane; c < n; c += lanes) {
        y[o + c] = y[o + c] * inv;
    }
}
