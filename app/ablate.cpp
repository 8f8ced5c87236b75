// SPDX-License-Identifier: GPL-3.0-or-later
// The tables of `attention-lab ablate` (parsing and running are in app/cli.cpp beside `eval`,
// whose data options and splits they share).
#include "app/ablate.h"
#include "app/text_format.h"

namespace al::cli {

std::string importanceCsv(const HeadImportanceTable& t)
{
    const std::string m = t.metric_name;
    std::string csv = "kind,layer,head,loss,delta_loss," + m + ",delta_" + m + ",gradient_importance,gradient_importance_raw\n";
    for (const HeadScore& s : t.heads)
        csv += fmt("%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6g\n", to_string(s.head.kind).c_str(), s.head.layer, s.head.head,
                   s.loss, s.delta_loss, s.metric, s.delta_metric, s.gradient, s.gradient_raw);
    return csv;
}

std::string importanceText(const HeadImportanceTable& t, ImportanceRanking by)
{
    std::vector<HeadId> ranked = rank_heads(t, by);
    std::string text = fmt("%-4s %-10s %9s %9s %9s %9s %9s\n", "rank", "head", "loss", "d_loss", t.metric_name.c_str(),
                           ("d_" + t.metric_name).c_str(), "grad_imp");
    int rank = 1;
    for (auto it = ranked.rbegin(); it != ranked.rend(); ++it, ++rank)
        for (const HeadScore& s : t.heads)
            if (s.head == *it)
                text += fmt("%-4d %-10s %9.4f %+9.4f %9.4f %+9.4f %9.4f\n", rank, to_string(s.head).c_str(), s.loss,
                            s.delta_loss, s.metric, s.delta_metric, s.gradient);
    return text;
}

} // namespace al::cli
