// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/compare_dialog.h"

#include "ui/views/retranslate.h"
#include "ui/views/heatmap_widget.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace al::ui {

CompareDialog::CompareDialog(QWidget* parent) : QDialog(parent)
{
    onLanguageChange(this, [this] { setWindowTitle(tr("Compare two sentences")); });
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_first = new QLineEdit(QStringLiteral("我们今天去学校。"), this);
    m_first->setObjectName(QStringLiteral("compareFirst"));
    m_second = new QLineEdit(QStringLiteral("他们明天去学校。"), this);
    m_second->setObjectName(QStringLiteral("compareSecond"));
    layout->addLayout(form);
    addTrRow(form, m_first, [] { return tr("Sentence A:"); });
    addTrRow(form, m_second, [] { return tr("Sentence B:"); });
    auto* nav = new QHBoxLayout;
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("compareKind"));
    for (al::AttentionKind k : attentionKinds())
        m_kind->addItem(QString(), int(k));
    trItems(m_kind, [](const QVariant& v) { return attentionKindName(static_cast<al::AttentionKind>(v.toInt())); });
    m_layer = new QSpinBox(this);
    m_layer->setObjectName(QStringLiteral("compareLayer"));
    m_layer->setRange(1, 1);
    m_head = new QSpinBox(this);
    m_head->setObjectName(QStringLiteral("compareHead"));
    m_head->setRange(1, 1);
    auto* go = trButton(this, [] { return tr("Compare"); });
    go->setObjectName(QStringLiteral("compareButton"));
    go->setDefault(true);
    nav->addWidget(m_kind, 1);
    nav->addWidget(trLabel(this, [] { return tr("Layer:"); }));
    nav->addWidget(m_layer);
    nav->addWidget(trLabel(this, [] { return tr("Head:"); }));
    nav->addWidget(m_head);
    nav->addWidget(go);
    layout->addLayout(nav);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto* maps = new QHBoxLayout;
    m_left = new HeatmapWidget(this);
    m_left->setObjectName(QStringLiteral("compareLeft"));
    m_right = new HeatmapWidget(this);
    m_right->setObjectName(QStringLiteral("compareRight"));
    for (HeatmapWidget* w : {m_left, m_right}) {
        w->setMinimumSize(360, 340);
        onLanguageChange(w, [w] { w->setPlaceholderText(tr("Press Compare.")); });
        maps->addWidget(w, 1);
    }
    layout->addLayout(maps, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(go, &QPushButton::clicked, this, &CompareDialog::compare);
    for (int side = 0; side < 2; ++side) {
        m_inference[side] = new InferenceController(this, side == 0 ? QStringLiteral("compare-a") : QStringLiteral("compare-b"));
        connect(m_inference[side], &InferenceController::translated, this,
                [this, side](const InferenceResult& r) { answer(side, r); });
    }
    connect(m_kind, &QComboBox::currentIndexChanged, this, &CompareDialog::redraw);
    connect(m_layer, &QSpinBox::valueChanged, this, &CompareDialog::redraw);
    connect(m_head, &QSpinBox::valueChanged, this, &CompareDialog::redraw);
    resize(900, 560);
    onLanguageChange(this, [this] { redraw(); }); // the map titles are made when drawn
}

void CompareDialog::setModel(const ModelSnapshot& model)
{
    m_model = model;
}

void CompareDialog::setSentences(const QString& first, const QString& second)
{
    m_first->setText(first);
    m_second->setText(second);
}

void CompareDialog::setSelection(const AttentionSelection& sel)
{
    const QSignalBlocker a(m_kind), b(m_layer), c(m_head);
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(int(sel.kind))));
    m_layer->setRange(1, std::max(m_layer->maximum(), sel.layer + 1));
    m_head->setRange(1, std::max(m_head->maximum(), sel.head + 1));
    m_layer->setValue(sel.layer + 1);
    m_head->setValue(sel.head + 1);
    redraw();
}

void CompareDialog::setFirstSentence(const QString& first)
{
    m_first->setText(first);
}

AttentionSelection CompareDialog::selection() const
{
    AttentionSelection sel;
    sel.kind = static_cast<al::AttentionKind>(m_kind->currentData().toInt());
    sel.layer = m_layer->value() - 1;
    sel.head = m_head->value() - 1;
    return sel;
}

bool CompareDialog::compare()
{
    if (!m_model) {
        m_message->setText(tr("No model yet — train one or open a model directory."));
        return false;
    }
    const QString sentences[2] = {m_first->text(), m_second->text()};
    for (int side = 0; side < 2; ++side) {
        InferenceRequest request;
        request.sentence = sentences[side];
        request.model = m_model;
        request.maxLength = 48;
        m_answer[side].reset();
        m_pending[side] = m_inference[side]->submit(std::move(request));
    }
    return m_pending[0] != 0 && m_pending[1] != 0;
}

void CompareDialog::shutdown()
{
    for (int side = 0; side < 2; ++side) {
        m_pending[side] = 0;
        m_inference[side]->shutdown();
    }
}

void CompareDialog::answer(int side, const InferenceResult& result)
{
    if (m_pending[side] == 0 || result.requestId != m_pending[side])
        return; // an answer to an older compare()
    m_pending[side] = 0;
    m_answer[side] = result;
    if (!m_answer[0] || !m_answer[1])
        return;
    const InferenceResult a = *std::exchange(m_answer[0], std::nullopt);
    const InferenceResult b = *std::exchange(m_answer[1], std::nullopt);
    for (const InferenceResult* r : {&a, &b}) {
        if (!r->errorMessage.isEmpty() || !r->trace) {
            m_message->setText(tr("Cannot translate: %1").arg(r->errorMessage.toHtmlEscaped()));
            emit compared(false);
            return;
        }
    }
    m_traceA = a.trace;
    m_traceB = b.trace;
    m_message->setText(tr("A → %1<br>B → %2").arg(a.translation.toHtmlEscaped(), b.translation.toHtmlEscaped()));
    redraw();
    emit compared(true);
}

void CompareDialog::redraw()
{
    if (!m_traceA || !m_traceB)
        return;
    AttentionSelection want = selection();
    const int layers = std::min(layerCount(*m_traceA, want.kind), layerCount(*m_traceB, want.kind));
    {
        const QSignalBlocker b(m_layer);
        m_layer->setRange(1, std::max(1, layers));
    }
    want.layer = m_layer->value() - 1;
    const int heads = layers > 0 ? std::min(headCount(*m_traceA, want.kind, want.layer), headCount(*m_traceB, want.kind, want.layer)) : 0;
    {
        const QSignalBlocker b(m_head);
        m_head->setRange(1, std::max(1, heads));
    }
    const PairSelection pair = clampSelectionForBoth(*m_traceA, *m_traceB, selection());
    if (!pair.ok) {
        for (HeatmapWidget* w : {m_left, m_right}) {
            w->clearMatrix();
            w->setPlaceholderText(tr("This attention kind is not in both traces."));
        }
        return;
    }
    const al::Mat* ma = selectAttention(*m_traceA, pair.sel);
    const al::Mat* mb = selectAttention(*m_traceB, pair.sel);
    const QString where = tr("%1 · layer %2 · head %3").arg(attentionKindName(pair.sel.kind)).arg(pair.sel.layer + 1).arg(pair.sel.head + 1);
    const std::pair<HeatmapWidget*, std::pair<const al::Trace*, const al::Mat*>> sides[] = {
        {m_left, {m_traceA.get(), ma}}, {m_right, {m_traceB.get(), mb}}};
    // One colour scale for both: probabilities 0..1, ReLU weights the joint min..max.
    const bool relu = m_model && m_model->net.config().attention_normalization == "relu";
    ValueRange joint{0.0, 1.0};
    if (relu && ma && mb) {
        joint.lower = double(std::min(ma->minCoeff(), mb->minCoeff()));
        joint.upper = std::max({double(ma->maxCoeff()), double(mb->maxCoeff()), joint.lower + 1e-6});
    }
    int i = 0;
    for (const auto& [w, tm] : sides) {
        const QString name = i++ == 0 ? QStringLiteral("A") : QStringLiteral("B");
        w->setColorRange(relu ? ColorRange::MinMax : ColorRange::Probability);
        w->setFixedDataRange(joint);
        w->setTitle(tr("%1: %2").arg(name, where));
        AttentionSelection s = pair.sel;
        w->setExportFileName(QStringLiteral("compare_%1_").arg(name.toLower()) + defaultExportFileName(s));
        if (tm.second)
            w->setMatrix(*tm.second, queryTokens(*tm.first, s.kind), keyTokens(*tm.first, s.kind));
        else
            w->clearMatrix();
    }
}

} // namespace al::ui
