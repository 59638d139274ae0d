/*
 * losses.cl - softmax cross-entropy with integer labels, binary cross-entropy on logits, mean
 * squared error: each writes the gradient and a mean loss into a small stats buffer on the device.
 *
 * Layout: logits/grad row-major rows x cols, labels one float per row (an integer class index);
 * bce and mse take flat arrays of n elements.
 *   xent_rows: `lanes` work-items per row (RED_WG / lanes rows per group) compute the row's
 *     log-sum-exp, write grad = (softmax - onehot) / rows, and store the row loss in scratch[r] and a bad-label flag
 *     (1 or 0) in scratch[rows + r]; xent_partial sums chunks of rows (and finds their first
 *     bad row) in G groups, G from the same split as the two-pass sums; with G = 1 it writes
 *     stats[0] = mean loss and stats[1] = first bad row or -1, else xent_finish (one group) does.
 *   bce_partial / mse_partial: group g handles chunk g, writes grad and a partial loss sum;
 *     loss_finish (one group) writes stats[0] = sum(partial) * inv_n.
 * All sums use fixed-order trees (ember_group_sum): deterministic.
 * Tunables: RED_WG work-group size, a power of two (default 256); the host launches with it.
 * Called by: Backend.softmaxCrossEntropy, bceWithLogits, mse.
 */
#include "ember_common.h"

#ifndef RED_WG
#define RED_WG 256 /* work-items per group (power of two) */
#endif

/* xent_rows(logits, labels, grad, scratch, rows, cols, lanes): `lanes` work-items per row (a power of two that
 * divides RED_WG, chosen by the host from cols: ReductionLayout.rowLanes), so one group handles RED_WG / lanes
 * rows and a narrow row (10 classes, or 1000) does not leave most of a 256-wide group idle or pay a 256-wide
 * tree per row. Rows past the end and rows with a bad label still take part in every barrier. */
KERNEL void xent_rows(GLOBAL const float *logits, GLOBAL const float *labels, GLOBAL float *grad,
                      GLOBAL float *scratch, const int rows, const int cols, const int lanes) {
    LOCAL_ARRAY float red[RED_WG];
    int lid = get_local_id(0);
    int lane = lid & (lanes - 1);
    LOCAL_PTR float *seg = red + (lid - lane); /* this row's lanes of the reduction scratch */
    int r = get_group_id(0) * (RED_WG / lanes) + lid / lanes;
    int live = r < rows;
    ember_i64 o = (ember_i64)(live ? r : 0) * cols;
    float lf = live ? labels[r] : 0.0f;
    int label = (int)lf;
    float inv_rows = 1.0f / (float)rows;
    int bad = !(lf >= 0.0f && lf < (float)cols && (float)label == lf);
    int work = live && !bad;
    float m = -EMBER_INF;
    if (work) {
        for (int c = lane; c < cols; c += lanes) {
            m = FMAXF(m, logits[o + c]);
        }
    }
    m = ember_group_max(seg, m, lane, lanes);
    float s = 0.0f;
    if (work) {
        for (int c = lane; c < cols; c += lanes) {
            s += EXPF(logits[o + c] - m);
        }
    }
    s = ember_group_sum(seg, s, lane, lanes);
    if (work) {
        /* exp(z - m) / s, not exp(z - (m + log s)): with |z| ~ 1e4 the float lse carries an absolute
         * error of ulp(1e4) ~ 1e-3, which would become a 1e-3 relative error in every probability. */
        float inv_s = inv_rows / s;
        for (int c = lane; c < cols; c += lanes) {
            float g = EXPF(logits[o + c] - m) * inv_s;
            grad[o + c] = c == label ? g - inv_rows : g;
        }
        if (lane == 0) {
            scratch[r] = (m - logits[o + label]) + LOGF(s);
            scratch[rows + r] = 0.0f;
        }
    } else if (live) {
        for (int c = lane; c < cols; c += lanes) {
            grad[o + c] = 0.0f;
        }
        if (lane == 0) {
            scratch[r] = 0.0f;
            scratch[rows + r] = 1.0f;
        }
    }
}

/* xent_partial(scratch, rows, chunk, partial, stats): group g adds up the row losses scratch[r] of rows
 * [g * chunk, (g + 1) * chunk) and finds the first bad row among them (flags in scratch[rows + r]). With one
 * group it writes stats[0] = mean row loss and stats[1] = first bad row or -1 itself; with G groups it writes
 * partial[g] = the sum and partial[G + g] = the first bad row's index as int bits (rows when none) for
 * xent_finish. One group summing 4M rows serially took 2 ms on an H100, 95% of the whole loss. */
KERNEL void xent_partial(GLOBAL const float *scratch, const int rows, const int chunk, GLOBAL float *partial,
                         GLOBAL float *stats) {
    LOCAL_ARRAY float red[RED_WG];
    LOCAL_ARRAY int first[RED_WG];
    int lid = get_local_id(0);
    int g = get_group_id(0), groups = get_num_groups(0);
    ember_i64 start = (ember_i64)g * chunk;
    ember_i64 end = start + chunk < rows ? start + chunk : rows;
    float acc = 0.0f;
    int fb = rows;
    for (ember_i64 r = start + lid; r < end; r += RED_WG) {
        acc += scratch[r];
        if (scratch[rows + r] != 0.0f && r < fb) {
            fb = (int)r;
        }
    }
    float total = ember_group_sum(red, acc, lid, RED_WG);
    int f = ember_group_min_int(first, fb, lid, RED_WG);
    if (lid == 0) {
        if (groups == 1) {
            stats[0] = total / (float)rows;
            stats[1] = f >= rows ? -1.0f : (float)f;
        } else {
            partial[g] = total;
            partial[groups + g] = EMBER_AS_FLOAT(f);
        }
    }
}

/* xent_finish(partial, groups, rows, stats): stats[0] = sum of partial[0..groups) / rows, stats[1] = the least
 * first bad row of partial[groups..2 groups) or -1 (one group; the second pass after xent_partial) */
KERNEL void xent_finish(GLOBAL const float *partial, const int groups, const int rows, GLOBAL float *stats) {
    LOCAL_ARRAY float red[RED_WG];
    LOCAL_ARRAY int first[RED_WG];
    int lid = get_local_id(0);
    int fb = rows;
    for (int i = lid; i < groups; i += RED_WG) {
        int f = EMBER_AS_INT(partial[groups + i]);
        fb = f < fb ? f : fb;
    }
    float total = ember_group_sum_array(red, partial, groups, lid, RED_WG);
    int f = ember_group_min_int(first, fb, lid, RED_WG);
    if (lid == 0) {
        stats[0] = total / (float)rows;
        stats[1] = f >= rows ? -1.0f : (float)f;
    }
}

/* bce_partial(z, t, grad, partial, n, chunk, inv_n): grad = (sigmoid(z) - t) * inv_n; partial[g] = sum of losses */
KERNEL void bce_partial(GLOBAL const float *z, GLOBAL const float *t, GLOBAL float *grad, GLOBAL float *partial,
                        const ember_i64 n, const ember_i64 chunk, const float inv_n) {
    LOCAL_ARRAY float red[RED_WG];
    int lid = get_local_id(0);
    ember_i64 start = (ember_i64)get_group_id(0) * chunk;
    ember_i64 end = start + chunk < n ? start + chunk : n;
    float acc = 0.0f;
    for (ember_i64 i = start + lid; i < end; i += RED_WG) {
        float zi = z[i], ti = t[i], zn = FMINF(zi, 0.0f);
        /* PyTorch's (1 - t) z - log_sigmoid(z) = (1 - t) z - min(z, 0) + log(1 + exp(-|z|)), its linear part
         * written (1 - t) max(z, 0) - t min(z, 0): the same for finite z, but for t in [0, 1] a sum of two
         * non-negative terms where z - z t cancelled (z > 0, t near 1). At infinite z it gives PyTorch's
         * values: z = +inf is +inf for t < 1 and NaN (0 * inf) for t = 1; z = -inf is NaN for every t
         * (PyTorch's -inf + inf), which 0 * min(z, 0) supplies: it adds a zero for every finite z. */
        acc += (1.0f - ti) * FMAXF(zi, 0.0f) - ti * zn + 0.0f * zn + LOG1PF(EXPF(-FABSF(zi)));
        grad[i] = (ember_sigmoid(zi) - ti) * inv_n;
    }
    float total = ember_group_sum(red, acc, lid, RED_WG);
    if (lid == 0) {
        partial[get_group_id(0)] = total;
    }
}

/* mse_partial(p, t, grad, partial, n, chunk, scale): grad = scale * (p - t); partial[g] = sum (p - t)^2 */
KERNEL void mse_partial(GLOBAL const float *p, GLOBAL const float *t, GLOBAL float *grad, GLOBAL float *partial,
                        const ember_i64 n, const ember_i64 chunk, const float scale) {
    LOCAL_ARRAY float red[RED_WG];
    int lid = get_local_id(0);
    ember_i64 start = (ember_i64)get_group_id(0) * chunk;
    ember_i64 end = start + chunk < n ? start + chunk : n;
    float acc = 0.0f;
    for (ember_i64 i = start + lid; i < end; i += RED_WG) {
        float d = p[i] - t[i];
        acc += d * d;
        grad[i] = scale * d;
    }
    float total = ember_group_sum(red, acc, lid, RED_WG);
    if (lid == 0) {
        partial[get_group_id(0)] = total;
    }
}

/* loss_finish(partial, count, inv_n, stats): stats[0] = sum(partial[0..count)) * inv_n (one group) */
KERNEL void loss_finish(GLOBAL const float *partial, const int count, const float inv_n, GLOBAL float *stats) {
    LOCAL_ARRAY float red[RED_WG];
    int lid = get_local_id(0);
    float total = ember_group_sum_array(red, partial, count, lid, RED_WG);
    if (lid == 0) {
        stats[0] = total * inv_n;
    }
}
