// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The vocabulary of every model kind: a token <-> id table whose first ids are special tokens.
// Which specials, and at which ids, is the vocabulary's layout; each model kind keeps the layout
// its saved directories were written with, so a stored id never changes meaning:
//   VocabLayout::Seq2Seq  <pad>=0 <bos>=1 <eos>=2 <unk>=3                     (encoder-decoder:
//                         translation, the algorithmic tasks, NAT)
//   VocabLayout::Task     <pad>=0 <unk>=1 <bos>=2 [CLS]=3 [SEP]=4 [MASK]=5    (charlm, pos,
//                         sentiment, langid, mlm; [CLS]/[SEP]/[MASK] as in BERT, Devlin et al.
//                         2019, section 3.1)
// Two file formats hold a vocabulary, both in id order with the specials first: one token per
// line (src_vocab.txt, tgt_vocab.txt) and a JSON array of strings (vocab.json, which can hold
// any token, a "\n" or " " of a character LM included). docs/format.md describes both.
#include <string>
#include <unordered_map>
#include <vector>

namespace al {

/// The special tokens a vocabulary starts with (see the top of this file).
enum class VocabLayout { Seq2Seq, Task };

/// The special tokens of `layout`, in id order.
const std::vector<std::string>& special_tokens(VocabLayout layout);
/// "seq2seq" or "task".
const char* to_string(VocabLayout layout);

/// The special ids of the encoder-decoder layout (VocabLayout::Seq2Seq) as compile-time
/// constants: the encoder-decoder's batches, decoding and NAT code, which hold token ids but no
/// Vocab, rely on them. A Seq2Seq Vocab's pad()/bos()/eos()/unk() equal these.
struct Seq2SeqIds {
    static constexpr int PAD = 0, BOS = 1, EOS = 2, UNK = 3;
};

/// Token <-> id table with the special tokens of its layout first. Copyable.
class Vocab {
public:
    /// Only the specials of `layout`.
    explicit Vocab(VocabLayout layout = VocabLayout::Seq2Seq);
    /// Specials first, then tokens with count >= min_count by decreasing count, ties in byte
    /// order (deterministic). max_size > 0 caps the size including specials (the specials
    /// always stay). Empty tokens and tokens spelled like a special are not added; min_count < 1
    /// counts as 1.
    static Vocab build(const std::vector<std::vector<std::string>>& sequences, int min_count, int max_size = 0,
                       VocabLayout layout = VocabLayout::Seq2Seq);
    /// From a stored list (id = position). Throws al::Error naming `source` when there are fewer
    /// tokens than specials, the specials are not first, a token is empty or a token repeats.
    static Vocab from_tokens(const std::vector<std::string>& tokens, VocabLayout layout, const std::string& source);

    VocabLayout layout() const { return m_layout; }
    int num_specials() const { return int(special_tokens(m_layout).size()); }
    int size() const { return static_cast<int>(m_tokens.size()); } ///< V, specials included

    /// Ids of the special tokens. Each throws al::Error when the layout has no such token
    /// (e.g. eos() of a Task vocabulary).
    int pad() const { return special(m_pad, "<pad>"); }
    int bos() const { return special(m_bos, "<bos>"); }
    int eos() const { return special(m_eos, "<eos>"); }
    int unk() const { return special(m_unk, "<unk>"); }
    int cls() const { return special(m_cls, "[CLS]"); }
    int sep() const { return special(m_sep, "[SEP]"); }
    int mask() const { return special(m_mask, "[MASK]"); }

    int id(const std::string& token) const; ///< unk() when unknown
    const std::string& token(int id) const; ///< throws al::Error when out of range
    std::vector<int> encode(const std::vector<std::string>& tokens) const; ///< id() of each, no BOS/EOS
    /// Drops <pad> and <bos>, stops at the first <eos> (of the layouts that have them); <unk>
    /// shows as "<unk>". An id out of range throws al::Error.
    std::vector<std::string> decode(const std::vector<int>& ids) const;
    const std::vector<std::string>& tokens() const { return m_tokens; } ///< in id order

    /// One token per line, UTF-8, '\n' line ends, in id order (specials included). Written
    /// atomically (temporary file + rename). Throws al::Error on I/O failure or on a token
    /// that cannot be written on one line.
    void save_lines(const std::string& path) const;
    /// Reads the one-token-per-line format. Throws al::Error naming path:line on a malformed
    /// file (missing or misplaced specials of `layout`, duplicate token, empty line, invalid
    /// UTF-8) or when the file cannot be read. Accepts CRLF.
    static Vocab load_lines(const std::string& path, VocabLayout layout = VocabLayout::Seq2Seq);
    /// A JSON array of strings in id order, one line, written atomically. Throws al::Error on
    /// I/O failure or a token that is not valid UTF-8.
    void save_json(const std::string& path) const;
    /// Reads the JSON array format. Throws al::Error naming the path (and the token index) on
    /// invalid JSON, a value that is not an array of strings, or a list from_tokens refuses.
    static Vocab load_json(const std::string& path, VocabLayout layout);

private:
    int special(int id, const char* name) const
    {
        if (id < 0)
            missing_special(name);
        return id;
    }
    [[noreturn]] void missing_special(const char* name) const;
    void add(std::string token); ///< appends at id size(); the caller checks for duplicates

    VocabLayout m_layout;
    int m_pad = -1, m_bos = -1, m_eos = -1, m_unk = -1, m_cls = -1, m_sep = -1, m_mask = -1;
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int> m_index;
};

} // namespace al
