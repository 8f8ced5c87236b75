// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/numeric_fault.h"

namespace al {

namespace {

std::string fault_message(int64_t step, FaultSite site, const std::string& parameter, NonFinite kind)
{
    std::string what;
    switch (site) {
    case FaultSite::Loss: what = "loss"; break;
    case FaultSite::LengthLoss: what = "length loss"; break;
    case FaultSite::Gradient: what = "gradient of " + parameter; break;
    case FaultSite::Update: what = "the Adam update of " + parameter; break;
    }
    return "step " + std::to_string(step) + ": " + what + " is not finite (" + non_finite_name(kind) + ")";
}

} // namespace

const char* non_finite_name(NonFinite kind)
{
    return kind == NonFinite::NaN ? "NaN" : "Inf";
}

NumericFault::NumericFault(int64_t step, FaultSite site, const std::string& parameter, NonFinite kind)
    : Error(fault_message(step, site, parameter, kind)), m_step(step), m_site(site), m_parameter(parameter), m_kind(kind)
{
}

} // namespace al
