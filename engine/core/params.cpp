// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/params.h"
#include "engine/core/error.h"

#include <algorithm>

namespace al {

namespace {
thread_local int t_gradient_worker = 0;
}

GradientWorker::GradientWorker(int worker) : m_previous(t_gradient_worker)
{
    t_gradient_worker = worker;
}

GradientWorker::~GradientWorker()
{
    t_gradient_worker = m_previous;
}

int GradientWorker::current()
{
    return t_gradient_worker;
}

Mat& Param::grad_target()
{
    const int w = t_gradient_worker;
    if (w == 0)
        return grad;
    if (size_t(w) > worker_grads.size())
        throw Error("parameter '" + name + "' has no gradient buffer for worker " + std::to_string(w));
    Mat& g = worker_grads[size_t(w - 1)];
    if (g.size() == 0) // a row_sparse parameter written densely: only this worker touches its slot
        g = Mat::Zero(value.rows(), value.cols());
    return g;
}

RowGradients* Param::row_target()
{
    const int w = t_gradient_worker;
    if (w == 0 || !row_sparse)
        return nullptr;
    if (size_t(w) > worker_rows.size())
        throw Error("parameter '" + name + "' has no gradient rows for worker " + std::to_string(w));
    return &worker_rows[size_t(w - 1)];
}

void RowGradients::add(const std::vector<int>& ids, const Mat& dy, Scalar scale)
{
    const Eigen::Index cols = dy.cols();
    const size_t start = values.size();
    values.resize(start + ids.size() * size_t(cols));
    Eigen::Map<Mat>(values.data() + start, Eigen::Index(ids.size()), cols) = dy * scale;
    rows.insert(rows.end(), ids.begin(), ids.end());
}

Param* ParamStore::add(const std::string& name, std::vector<int64_t> shape)
{
    if (find(name))
        throw Error("duplicate parameter name '" + name + "'");
    if (shape.empty() || shape.size() > 2)
        throw Error("parameter '" + name + "' must be 1-D or 2-D");
    auto p = std::make_unique<Param>();
    p->name = name;
    p->shape = shape;
    const Eigen::Index rows = shape.size() == 1 ? 1 : shape[0];
    const Eigen::Index cols = shape.size() == 1 ? shape[0] : shape[1];
    p->value = Mat::Zero(rows, cols);
    if (!m_lazy_grads)
        p->grad = Mat::Zero(rows, cols);
    m_params.push_back(std::move(p));
    return m_params.back().get();
}

Param* ParamStore::find(const std::string& name)
{
    for (auto& p : m_params)
        if (p->name == name)
            return p.get();
    return nullptr;
}

const Param* ParamStore::find(const std::string& name) const
{
    for (const auto& p : m_params)
        if (p->name == name)
            return p.get();
    return nullptr;
}

int64_t ParamStore::numel() const
{
    int64_t n = 0;
    for (const auto& p : m_params)
        n += p->numel();
    return n;
}

void ParamStore::zero_grad()
{
    for (auto& p : m_params) {
        if (p->grad.rows() != p->value.rows() || p->grad.cols() != p->value.cols())
            p->grad = Mat::Zero(p->value.rows(), p->value.cols());
        else
            p->grad.setZero();
    }
}

void ParamStore::ensure_grads()
{
    for (auto& p : m_params)
        if (p->grad.rows() != p->value.rows() || p->grad.cols() != p->value.cols())
            p->grad = Mat::Zero(p->value.rows(), p->value.cols());
}

void ParamStore::zero_worker_grads(int workers)
{
    const size_t extra = size_t(std::max(workers, 1) - 1);
    for (auto& p : m_params) {
        p->worker_grads.resize(extra);
        p->worker_rows.resize(p->row_sparse ? extra : 0);
        for (RowGradients& r : p->worker_rows)
            r.clear();
        for (Mat& g : p->worker_grads) {
            if (p->row_sparse && g.size() == 0)
                continue; // allocated by grad_target() if a backward pass ever writes it densely
            if (g.rows() != p->value.rows() || g.cols() != p->value.cols())
                g = Mat::Zero(p->value.rows(), p->value.cols());
            else
                g.setZero();
        }
    }
}

void ParamStore::reduce_worker_grads()
{
#pragma omp parallel for schedule(dynamic)
    for (size_t i = 0; i < m_params.size(); ++i) {
        Param& p = *m_params[i];
        for (size_t w = 0; w < p.worker_grads.size(); ++w) {
            if (p.worker_grads[w].size())
                p.grad += p.worker_grads[w];
            if (w < p.worker_rows.size()) {
                const RowGradients& r = p.worker_rows[w];
                const Eigen::Map<const Mat> values(r.values.data(), Eigen::Index(r.rows.size()), p.grad.cols());
                for (size_t k = 0; k < r.rows.size(); ++k)
                    p.grad.row(r.rows[k]) += values.row(Eigen::Index(k));
            }
        }
    }
}

void ParamStore::copy_values_from(const ParamStore& other)
{
    if (other.m_params.size() != m_params.size())
        throw Error("parameter stores differ in size");
    for (size_t i = 0; i < m_params.size(); ++i) {
        const Param& src = *other.m_params[i];
        Param& dst = *m_params[i];
        if (src.name != dst.name || src.shape != dst.shape)
            throw Error("parameter '" + src.name + "' does not match '" + dst.name + "'");
        dst.value = src.value;
    }
}

void ParamStore::ensure_optimizer_state()
{
    for (auto& p : m_params) {
        if (p->adam_m.size() != p->value.size())
            p->adam_m = Mat::Zero(p->value.rows(), p->value.cols());
        if (p->adam_v.size() != p->value.size())
            p->adam_v = Mat::Zero(p->value.rows(), p->value.cols());
    }
}

} // namespace al
