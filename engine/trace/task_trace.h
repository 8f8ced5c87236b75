// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The attention of a task model (engine/models/task_models.h) on one text, as a Trace, so that the
// attention views that draw translation Traces draw task models too.
#include "engine/models/task_models.h"
#include "engine/trace/trace.h"

#include <string>

namespace al {

/// Runs `model` (dropout off) on `text`, built as the task's own inference builds it
/// (classify_text, tag_text, masked_token_probabilities, generate_text), and records what
/// TaskNet::fill_trace records: its self-attention probabilities, [layer][head] (n x n), the
/// Synthesizer scores and, with options.forward_detail, the forward pass step by step:
///   pos, sentiment, langid, mlm  the encoder: Trace::src_tokens and Trace::enc_self (enc_synth,
///                                 forward.enc_self);
///                                 mlm input "[CLS] A [SEP] (B [SEP])" with " ||| " between A
///                                 and B and "[MASK]" kept; classifiers with pooling "cls"
///                                 start with "[CLS]"; pos also Trace::src_tags, the most
///                                 probable tag of each token (as tag_text);
///   charlm                        the causal decoder: Trace::tgt_in_tokens (the last max_len
///                                 characters), Trace::dec_self (dec_synth, forward.dec_self),
///                                 and Trace::tgt_out_tokens = the most probable next character
///                                 at each position (specials excluded, as generate_text with
///                                 temperature 0).
/// Texts longer than max_len are cut to the first max_len tokens (charlm: the last). Tokens are
/// shown as the model sees them (unknown ones as "<unk>"); in a character model a space is shown
/// as "␣", a newline as "⏎" and a tab as "⇥". Throws al::Error when the text has no token.
Trace task_model_trace(const TaskModel& model, const std::string& text, const TraceOptions& options = {});

} // namespace al
