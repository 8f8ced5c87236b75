// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/core/tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace al {

/// Gradient rows gathered by a data-parallel worker for a row-sparse parameter (an embedding
/// table, of which a backward pass touches only the rows of the batch's tokens): the reduction
/// adds values row i to gradient row rows[i], in order. Costs tokens x cols, not vocabulary x cols.
struct RowGradients {
    std::vector<int> rows;
    std::vector<Scalar> values; ///< rows.size() x cols, row-major
    /// Appends dy.row(r) * scale for gradient row ids[r], for every r. dy (ids.size(), cols).
    void add(const std::vector<int>& ids, const Mat& dy, Scalar scale);
    void clear()
    {
        rows.clear();
        values.clear();
    }
};

/// One named parameter tensor with its gradient and Adam moments.
/// `shape` is the PyTorch shape ([out, in] for a weight, [n] for a bias or norm);
/// `value` stores it as a row-major matrix (a 1-D tensor of n elements is a 1 x n matrix).
struct Param {
    std::string name;              ///< PyTorch state_dict name, e.g. "transformer.encoder.layers.0.linear1.weight"
    std::vector<int64_t> shape;    ///< PyTorch shape
    Mat value, grad, adam_m, adam_v;
    /// Gradients of data-parallel workers 1, 2, ... (worker 0 accumulates into `grad`); they
    /// share `value`, so a worker costs one gradient, not a copy of the model. See GradientWorker.
    std::vector<Mat> worker_grads;
    /// An embedding table: workers 1, 2, ... gather gradient rows (worker_rows) instead of a
    /// dense vocabulary x cols buffer; see row_target().
    bool row_sparse = false;
    std::vector<RowGradients> worker_rows; ///< worker w >= 1 of a row_sparse parameter: entry w - 1
    bool trainable = true;
    int64_t numel() const { return value.size(); }
    /// The buffer a backward pass running on this thread accumulates (+=) into: `grad`, or
    /// worker_grads[w - 1] while a GradientWorker(w) with w > 0 lives on this thread.
    Mat& grad_target();
    /// For a row_sparse parameter inside a GradientWorker(w > 0) scope: that worker's row list;
    /// nullptr otherwise (then write rows of grad_target()).
    RowGradients* row_target();
};

/// Data parallelism over one set of weights. All workers run forward (const) and backward on
/// the same model; while an object of this class lives, every Param::grad_target() on the
/// constructing thread is that worker's own buffer, so the workers never write the same
/// memory. ParamStore::zero_worker_grads() allocates the buffers and reduce_worker_grads() sums
/// them into `grad` in worker order (the result does not depend on thread timing).
class GradientWorker {
public:
    explicit GradientWorker(int worker);
    ~GradientWorker();
    GradientWorker(const GradientWorker&) = delete;
    GradientWorker& operator=(const GradientWorker&) = delete;
    /// The worker index of this thread (0 outside any GradientWorker scope).
    static int current();

private:
    int m_previous;
};

/// The registry of every parameter of a model, in creation order. Optimizer, checkpoints,
/// parameter counts and snapshots iterate over it. Pointers returned by add() stay valid for
/// the store's lifetime (parameters are never removed).
class ParamStore {
public:
    ParamStore() = default;
    ParamStore(const ParamStore&) = delete;
    ParamStore& operator=(const ParamStore&) = delete;

    /// Registers a zero-initialised parameter. A 1-D shape {n} is stored as 1 x n, a 2-D
    /// shape {r, c} as r x c. Throws al::Error on a duplicate name.
    Param* add(const std::string& name, std::vector<int64_t> shape);
    /// nullptr when there is no parameter of that name.
    Param* find(const std::string& name);
    const Param* find(const std::string& name) const;

    const std::vector<std::unique_ptr<Param>>& all() const { return m_params; }
    int64_t numel() const;

    /// grad = 0 for every parameter (an explicit step before each backward pass); allocates
    /// gradients that are not allocated yet.
    void zero_grad();
    /// Allocates (zero) gradients where missing; a no-op when all are allocated.
    void ensure_grads();
    /// When true, add() leaves Param::grad empty (0 x 0) until zero_grad()/ensure_grads():
    /// inference copies of a model (snapshots for the views) then hold values only, half the
    /// memory. Default false.
    void set_lazy_grads(bool lazy) { m_lazy_grads = lazy; }
    /// Data parallelism with `workers` workers: allocates where missing and zeroes
    /// Param::worker_grads for workers 1 .. workers-1 (frees buffers of workers beyond); a
    /// row_sparse parameter gets empty row lists instead (and a dense buffer only if some
    /// backward pass asks for grad_target() on it).
    void zero_worker_grads(int workers);
    /// grad += worker 1's gradient (dense buffer, then its gathered rows in order), then worker
    /// 2's, ...: the gradient of the whole batch, summed in worker order. Parallel over parameters.
    void reduce_worker_grads();
    /// Copies values (not gradients or moments) from a store with the same names and shapes.
    void copy_values_from(const ParamStore& other);
    /// Allocates Adam moment buffers (zeros) where missing.
    void ensure_optimizer_state();

private:
    std::vector<std::unique_ptr<Param>> m_params;
    bool m_lazy_grads = false;
};

} // namespace al
