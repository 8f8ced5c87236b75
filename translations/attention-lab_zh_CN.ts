<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttentionFlowView</name>
    <message>
        <source>Encoder self-attention</source>
        <translation>编码器自注意力</translation>
    </message>
    <message>
        <source>Decoder self-attention</source>
        <translation>解码器自注意力</translation>
    </message>
    <message>
        <source>Source attribution (cross-attention)</source>
        <translation>源端归因（交叉注意力）</translation>
    </message>
    <message>
        <source>%1 is not recorded by this model.</source>
        <translation>此模型没有记录%1。</translation>
    </message>
    <message>
        <source>Layer %1 does not exist: this model has %2.</source>
        <translation>第 %1 层不存在：此模型共有 %2 层。</translation>
    </message>
    <message>
        <source>Attention flow is computed for up to %1 positions (it solves n² maximum flows); this sentence has %2.</source>
        <translation>注意力流最多计算 %1 个位置（需要求解 n² 个最大流）；这个句子有 %2 个。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
</context>
<context>
    <name>AttentionSelection</name>
    <message>
        <source>Encoder self-attention</source>
        <translation>编码器自注意力</translation>
    </message>
    <message>
        <source>Decoder masked self-attention</source>
        <translation>解码器掩码自注意力</translation>
    </message>
    <message>
        <source>Cross-attention</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>Causal self-attention</source>
        <translation>因果自注意力</translation>
    </message>
</context>
<context>
    <name>ForwardStepper</name>
    <message>
        <source>Embedding + PE</source>
        <translation>嵌入 + 位置编码</translation>
    </message>
    <message>
        <source>Self-attention</source>
        <translation>自注意力</translation>
    </message>
    <message>
        <source>Cross-attention</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>Feed-forward</source>
        <translation>前馈网络</translation>
    </message>
    <message>
        <source>Add &amp; norm</source>
        <translation>残差相加与归一化</translation>
    </message>
    <message>
        <source>Final norm</source>
        <translation>最终归一化</translation>
    </message>
</context>
<context>
    <name>HiddenStatesView</name>
    <message>
        <source>embedding</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>final norm</source>
        <translation>最终归一化</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>打: to make (a phone call) / to play (basketball)</source>
        <translation>打：打（电话）/ 打（篮球）</translation>
    </message>
    <message>
        <source>会: can (speak) / will (rain)</source>
        <translation>会：能够（说）/ 将要（下雨）</translation>
    </message>
    <message>
        <source>花: to spend / a flower</source>
        <translation>花：花费 / 花朵</translation>
    </message>
    <message>
        <source>好: well / all right</source>
        <translation>好：好（身体、状态）/ 好的（同意）</translation>
    </message>
    <message>
        <source>saw: the verb (first) / the tool (second)</source>
        <translation>saw：动词“看见”（第一个）/ 工具“锯子”（第二个）</translation>
    </message>
    <message>
        <source>bank: of a river / for money</source>
        <translation>bank：河岸 / 银行</translation>
    </message>
    <message>
        <source>can: is able to / a tin</source>
        <translation>can：能够 / 罐头</translation>
    </message>
    <message>
        <source>flies: moves fast (verb) / insects (noun)</source>
        <translation>flies：飞逝（动词）/ 苍蝇（名词）</translation>
    </message>
    <message>
        <source>No hidden states recorded yet.</source>
        <translation>还没有记录隐藏状态。</translation>
    </message>
    <message>
        <source>“%1” is not a token of both sentences (the model reads: %2 | %3).</source>
        <translation>“%1”不是两个句子共有的词元（模型读到的是：%2 | %3）。</translation>
    </message>
    <message>
        <source>Layer state %1 does not exist.</source>
        <translation>第 %1 个层状态不存在。</translation>
    </message>
    <message>
        <source>position %1</source>
        <translation>位置 %1</translation>
    </message>
</context>
<context>
    <name>LabSetup</name>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>unknown member (expected one of %1)</source>
        <translation>未知成员（应为 %1 之一）</translation>
    </message>
    <message>
        <source>expected a string</source>
        <translation>应为字符串</translation>
    </message>
    <message>
        <source>expected an integer &gt;= 0</source>
        <translation>应为 &gt;= 0 的整数</translation>
    </message>
    <message>
        <source>expected an object</source>
        <translation>应为对象</translation>
    </message>
    <message>
        <source>unknown key (expected one of %1)</source>
        <translation>未知键（应为 %1 之一）</translation>
    </message>
    <message>
        <source>expected an integer</source>
        <translation>应为整数</translation>
    </message>
    <message>
        <source>expected a number</source>
        <translation>应为数字</translation>
    </message>
    <message>
        <source>expected true or false</source>
        <translation>应为 true 或 false</translation>
    </message>
    <message>
        <source>expected a number or null (null: the dropout rate)</source>
        <translation>应为数字或 null（null：与 dropout 相同）</translation>
    </message>
    <message>
        <source>expected &quot;demo:&lt;id&gt;&quot; or a model directory</source>
        <translation>应为 &quot;demo:&lt;id&gt;&quot; 或模型目录</translation>
    </message>
    <message>
        <source>unknown tab &apos;%1&apos; (expected one of %2)</source>
        <translation>未知标签页 &apos;%1&apos;（应为 %2 之一）</translation>
    </message>
    <message>
        <source>unknown attention kind &apos;%1&apos; (expected encoder, decoder or cross)</source>
        <translation>未知注意力类型 &apos;%1&apos;（应为 encoder、decoder 或 cross）</translation>
    </message>
    <message>
        <source>expected the lesson file&apos;s path</source>
        <translation>应为课程文件的路径</translation>
    </message>
    <message>
        <source>there are no demo models (resources/models/demos.json was not found)</source>
        <translation>没有演示模型（未找到 resources/models/demos.json）</translation>
    </message>
    <message>
        <source>the model directory %1 does not exist</source>
        <translation>模型目录 %1 不存在</translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation>第 %1 行，第 %2 列</translation>
    </message>
    <message>
        <source>%1: %2: %3</source>
        <translation>%1：%2：%3</translation>
    </message>
    <message>
        <source>%1: expected a JSON object</source>
        <translation>%1：应为 JSON 对象</translation>
    </message>
    <message>
        <source>%1: format: expected &quot;%2&quot;</source>
        <translation>%1：format：应为 &quot;%2&quot;</translation>
    </message>
    <message>
        <source>%1: version: expected %2 (this program reads session files of version %2)</source>
        <translation>%1：version：应为 %2（本程序读取版本 %2 的会话文件）</translation>
    </message>
    <message>
        <source>%1: cannot read the file (%2)</source>
        <translation>%1：无法读取文件（%2）</translation>
    </message>
    <message>
        <source>%1: cannot write the file (%2)</source>
        <translation>%1：无法写入文件（%2）</translation>
    </message>
    <message>
        <source>unknown decoding strategy &apos;%1&apos; (expected greedy, beam or sample)</source>
        <translation>未知解码策略 &apos;%1&apos;（应为 greedy、beam 或 sample）</translation>
    </message>
    <message>
        <source>expected an integer from 1 to %1</source>
        <translation>应为 1 到 %1 之间的整数</translation>
    </message>
    <message>
        <source>expected a number from 0 to %1</source>
        <translation>应为 0 到 %1 之间的数字</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Export numbers as CSV…</source>
        <translation>将数值导出为 CSV…</translation>
    </message>
    <message>
        <source>Export as %1…</source>
        <translation>导出为 %1…</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Synthesizer parameters</source>
        <translation>合成器参数量</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Steps/s</source>
        <translation>步/秒</translation>
    </message>
    <message>
        <source>Speed vs vanilla</source>
        <translation>相对原版的速度</translation>
    </message>
    <message>
        <source>Valid loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Test exact match</source>
        <translation>测试完全匹配率</translation>
    </message>
    <message>
        <source>Test token accuracy</source>
        <translation>测试词元准确率</translation>
    </message>
    <message>
        <source>Test BLEU</source>
        <translation>测试 BLEU</translation>
    </message>
</context>
<context>
    <name>TaskMetric</name>
    <message>
        <source>exact match</source>
        <translation>完全匹配率</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>masked-token accuracy</source>
        <translation>掩码词元准确率</translation>
    </message>
    <message>
        <source>bits/char</source>
        <translation>比特/字符</translation>
    </message>
</context>
<context>
    <name>TaskSettings</name>
    <message>
        <source>translate — a corpus of sentence pairs</source>
        <translation>translate — 句对语料（翻译）</translation>
    </message>
    <message>
        <source>copy — symbols (encoder-decoder)</source>
        <translation>copy — 符号复制（编码器-解码器）</translation>
    </message>
    <message>
        <source>reverse — symbols (encoder-decoder)</source>
        <translation>reverse — 符号反转（编码器-解码器）</translation>
    </message>
    <message>
        <source>sort — symbols (encoder-decoder)</source>
        <translation>sort — 符号排序（编码器-解码器）</translation>
    </message>
    <message>
        <source>charlm — character LM (decoder-only)</source>
        <translation>charlm — 字符语言模型（仅解码器）</translation>
    </message>
    <message>
        <source>pos — part-of-speech tagger (encoder)</source>
        <translation>pos — 词性标注（编码器）</translation>
    </message>
    <message>
        <source>sentiment — classifier (encoder)</source>
        <translation>sentiment — 情感分类（编码器）</translation>
    </message>
    <message>
        <source>langid — language identification (encoder)</source>
        <translation>langid — 语种识别（编码器）</translation>
    </message>
    <message>
        <source>mlm — masked LM, BERT-style (encoder)</source>
        <translation>mlm — 掩码语言模型，BERT 式（编码器）</translation>
    </message>
</context>
<context>
    <name>TrainingPlots</name>
    <message>
        <source>step %1: %2</source>
        <translation>第 %1 步：%2</translation>
    </message>
</context>
<context>
    <name>al::ui::AttentionFlowPanel</name>
    <message>
        <source>Up to layer:</source>
        <translation>截至层：</translation>
    </message>
    <message>
        <source>Appears once a model translates the sentence.</source>
        <translation>模型翻译句子后显示在这里。</translation>
    </message>
    <message>
        <source>Computing attention flow…</source>
        <translation>正在计算注意力流…</translation>
    </message>
    <message>
        <source>Cross-attention looks at the encoder&apos;s last layer, whose positions already mix the source words. Composing the layer&apos;s cross-attention (mean over heads) with the encoder&apos;s rollout or flow attributes each output token to the source words themselves.</source>
        <translation>交叉注意力看的是编码器的最后一层，而那一层的每个位置已经混合了多个源语言词。把该层的交叉注意力（各头平均）与编码器的注意力展开或注意力流相乘，就能把每个输出词元归因到源语言的词本身。</translation>
    </message>
    <message>
        <source>Raw attention of a layer looks at the previous layer&apos;s positions, which are already mixtures of the words. Rollout multiplies the layers&apos; attention (each mixed with the residual connection, 0.5·A + 0.5·I); flow treats them as a network of capacities and takes the maximum flow from each position to each word (Abnar &amp; Zuidema 2020). Rows: positions after the layer; columns: input words.</source>
        <translation>某一层的原始注意力看的是上一层的位置，而这些位置已经是多个词的混合。注意力展开（rollout）把各层的注意力相乘（每层都与残差连接混合：0.5·A + 0.5·I）；注意力流（flow）把它们看作一张容量网络，求每个位置到每个词的最大流（Abnar &amp; Zuidema 2020）。行：该层之后的位置；列：输入的词。</translation>
    </message>
    <message>
        <source>layer 1</source>
        <translation>第 1 层</translation>
    </message>
    <message>
        <source>layers 1–%1</source>
        <translation>第 1–%1 层</translation>
    </message>
    <message>
        <source>Source attribution · encoder rollout</source>
        <translation>源端归因 · 编码器注意力展开</translation>
    </message>
    <message>
        <source>Attention rollout · %1</source>
        <translation>注意力展开 · %1</translation>
    </message>
    <message>
        <source>Source attribution · encoder flow</source>
        <translation>源端归因 · 编码器注意力流</translation>
    </message>
    <message>
        <source>Attention flow · %1</source>
        <translation>注意力流 · %1</translation>
    </message>
    <message>
        <source>source word</source>
        <translation>源语言词</translation>
    </message>
    <message>
        <source>output token</source>
        <translation>输出词元</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>input word</source>
        <translation>输入词</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>share of the word</source>
        <translation>该词的占比</translation>
    </message>
    <message>
        <source>model step %1 · mean over heads</source>
        <translation>模型第 %1 步 · 各头平均</translation>
    </message>
    <message>
        <source>Cross-attention · decoder layer %1</source>
        <translation>交叉注意力 · 解码器第 %1 层</translation>
    </message>
    <message>
        <source>Raw attention · layer %1</source>
        <translation>原始注意力 · 第 %1 层</translation>
    </message>
</context>
<context>
    <name>al::ui::AttentionPanel</name>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <source>Compare…</source>
        <translation>比较…</translation>
    </message>
    <message>
        <source>The same attention of two sentences side by side.</source>
        <translation>并排显示两个句子的同一注意力。</translation>
    </message>
    <message>
        <source>Fixed 0–1 makes heads comparable; per head stretches each map&apos;s own range.</source>
        <translation>固定 0–1 便于比较各注意力头；按头缩放则把每张图拉伸到它自己的取值范围。</translation>
    </message>
    <message>
        <source>Colours:</source>
        <translation>配色：</translation>
    </message>
    <message>
        <source>Attention appears here once a model translates the sentence.</source>
        <translation>模型翻译句子后，注意力将显示在这里。</translation>
    </message>
    <message>
        <source>Head %1</source>
        <translation>注意力头 %1</translation>
    </message>
    <message>
        <source>Click to focus head %1</source>
        <translation>点击聚焦注意力头 %1</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3 · step %4</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3 · 第 %4 步</translation>
    </message>
    <message>
        <source>%1: not recorded by this model</source>
        <translation>%1：此模型未记录</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <source>The focused heatmap is empty.</source>
        <translation>当前聚焦的热力图为空。</translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation>已写入 %1。</translation>
    </message>
    <message>
        <source>No attention yet: train a model or open one, and type a sentence.</source>
        <translation>尚无注意力：请训练或打开一个模型，并输入一个句子。</translation>
    </message>
    <message>
        <source>Exporting attention maps…</source>
        <translation>正在导出注意力图…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n file(s) to %1.</source>
        <translation>
            <numerusform>已向 %1 写入 %n 个文件。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>al::ui::BatchExportDialog</name>
    <message>
        <source>Export all layers and heads</source>
        <translation>导出所有层和注意力头</translation>
    </message>
    <message>
        <source>Only %1</source>
        <translation>仅%1</translation>
    </message>
    <message>
        <source>All three kinds</source>
        <translation>全部三种</translation>
    </message>
    <message>
        <source>Attention:</source>
        <translation>注意力：</translation>
    </message>
    <message>
        <source>Formats:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>宽度：</translation>
    </message>
    <message>
        <source>Height:</source>
        <translation>高度：</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>分辨率：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>导出到文件夹</translation>
    </message>
</context>
<context>
    <name>al::ui::BlockDiagramWidget</name>
    <message>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>No forward pass recorded yet.</source>
        <translation>尚未记录前向传播。</translation>
    </message>
</context>
<context>
    <name>al::ui::ColorMaps</name>
    <message>
        <source>Viridis (colour-blind safe)</source>
        <translation>Viridis（色盲友好）</translation>
    </message>
    <message>
        <source>Cividis (colour-blind safe)</source>
        <translation>Cividis（色盲友好）</translation>
    </message>
    <message>
        <source>Magma (colour-blind safe)</source>
        <translation>Magma（色盲友好）</translation>
    </message>
    <message>
        <source>Greyscale (white to black)</source>
        <translation>灰度（白到黑）</translation>
    </message>
    <message>
        <source>Cool–warm (diverging)</source>
        <translation>冷暖（发散型）</translation>
    </message>
    <message>
        <source>Fixed 0–1</source>
        <translation>固定 0–1</translation>
    </message>
    <message>
        <source>Per head (min–max)</source>
        <translation>按注意力头（最小–最大）</translation>
    </message>
    <message>
        <source>Symmetric around 0</source>
        <translation>关于 0 对称</translation>
    </message>
</context>
<context>
    <name>al::ui::CompareDialog</name>
    <message>
        <source>Compare two sentences</source>
        <translation>比较两个句子</translation>
    </message>
    <message>
        <source>Sentence A:</source>
        <translation>句子 A：</translation>
    </message>
    <message>
        <source>Sentence B:</source>
        <translation>句子 B：</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <source>Press Compare.</source>
        <translation>请按“比较”。</translation>
    </message>
    <message>
        <source>No model yet — train one or open a model directory.</source>
        <translation>尚无模型 — 请训练一个模型或打开模型目录。</translation>
    </message>
    <message>
        <source>A → %1&lt;br&gt;B → %2</source>
        <translation>A → %1&lt;br&gt;B → %2</translation>
    </message>
    <message>
        <source>Cannot translate: %1</source>
        <translation>无法翻译：%1</translation>
    </message>
    <message>
        <source>This attention kind is not in both traces.</source>
        <translation>两个句子的追踪记录中并非都有这种注意力。</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>al::ui::DecodingPanel</name>
    <message>
        <source>Export numbers as CSV…</source>
        <translation>将数值导出为 CSV…</translation>
    </message>
    <message>
        <source>Export as %1…</source>
        <translation>导出为 %1…</translation>
    </message>
    <message>
        <source>Strategy:</source>
        <translation>解码策略：</translation>
    </message>
    <message>
        <source>Greedy</source>
        <translation>贪心解码</translation>
    </message>
    <message>
        <source>Beam search</source>
        <translation>束搜索</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Beam width: hypotheses kept at each step (1 = greedy).</source>
        <translation>束宽：每一步保留的候选假设数（1 = 贪心解码）。</translation>
    </message>
    <message>
        <source>α of the GNMT length penalty ((5 + |Y|)^α / 6^α); 0 ranks by log-probability, larger values favour longer outputs.</source>
        <translation>GNMT 长度惩罚 ((5 + |Y|)^α / 6^α) 中的 α；0 表示按对数概率排序，取值越大越偏向较长的输出。</translation>
    </message>
    <message>
        <source>width</source>
        <translation>束宽</translation>
    </message>
    <message>
        <source>length penalty α</source>
        <translation>长度惩罚 α</translation>
    </message>
    <message>
        <source>The logits are divided by the temperature: below 1 sharpens, above 1 flattens.</source>
        <translation>logits 除以温度：小于 1 使分布更尖锐，大于 1 使分布更平缓。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Sample only among the k most probable tokens (0 = no limit).</source>
        <translation>只在概率最高的 k 个词元中采样（0 = 不限制）。</translation>
    </message>
    <message>
        <source>Nucleus sampling: the smallest set of most probable tokens whose probability sums to p.</source>
        <translation>核采样（nucleus sampling）：在概率之和达到 p 的最小高概率词元集合中采样。</translation>
    </message>
    <message>
        <source>The same seed gives the same sample.</source>
        <translation>相同的随机种子给出相同的采样结果。</translation>
    </message>
    <message>
        <source>T</source>
        <translation>T</translation>
    </message>
    <message>
        <source>top-k</source>
        <translation>top-k</translation>
    </message>
    <message>
        <source>top-p</source>
        <translation>top-p</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Bars:</source>
        <translation>柱数：</translation>
    </message>
    <message>
        <source>How many of the most probable next tokens to show at each step.</source>
        <translation>每一步显示多少个概率最高的下一个词元。</translation>
    </message>
    <message>
        <source>Previous step</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Step:</source>
        <translation>步：</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>next token (click a bar to force it)</source>
        <translation>下一个词元（点击柱条可强制选用）</translation>
    </message>
    <message>
        <source>p(next token)</source>
        <translation>p(下一个词元)</translation>
    </message>
    <message>
        <source>chosen</source>
        <translation>已选</translation>
    </message>
    <message>
        <source>sampled from (T, top-k, top-p)</source>
        <translation>采样分布（T、top-k、top-p）</translation>
    </message>
    <message>
        <source>Cross-attention: layer</source>
        <translation>交叉注意力：层</translation>
    </message>
    <message>
        <source>head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>mean over heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>source token</source>
        <translation>源词元</translation>
    </message>
    <message>
        <source>cross-attention</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>Every step: the chosen token and its probability; forced tokens are marked ✎.</source>
        <translation>每一步：选出的词元及其概率；强制指定的词元标记为 ✎。</translation>
    </message>
    <message>
        <source>Force at this step:</source>
        <translation>在此步强制：</translation>
    </message>
    <message>
        <source>Pick one of the top tokens or type any target token (or words); decoding continues from it.</source>
        <translation>选择一个高概率词元，或输入任意目标词元（或词语）；解码从它继续。</translation>
    </message>
    <message>
        <source>Force</source>
        <translation>强制</translation>
    </message>
    <message>
        <source>Clear forced prefix</source>
        <translation>清除强制前缀</translation>
    </message>
    <message>
        <source>Decoding…</source>
        <translation>正在解码…</translation>
    </message>
    <message>
        <source>Open or train a model first.</source>
        <translation>请先打开或训练一个模型。</translation>
    </message>
    <message>
        <source>Type a target token to force.</source>
        <translation>请输入要强制的目标词元。</translation>
    </message>
    <message>
        <source>Cannot force: %1.</source>
        <translation>无法强制：%1。</translation>
    </message>
    <message numerus="yes">
        <source>Decoding again with %n forced token(s)…</source>
        <translation>
            <numerusform>正在带 %n 个强制词元重新解码…</numerusform>
        </translation>
    </message>
    <message>
        <source>forced: %1</source>
        <translation>强制：%1</translation>
    </message>
    <message>
        <source>Nothing decoded.</source>
        <translation>没有解码结果。</translation>
    </message>
    <message>
        <source>Cannot decode: %1</source>
        <translation>无法解码：%1</translation>
    </message>
    <message>
        <source>The sentence is empty: type one in the sentence box.</source>
        <translation>句子为空：请在句子框中输入一个句子。</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>注意力头 %1</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <source>no steps</source>
        <translation>没有步骤</translation>
    </message>
    <message>
        <source>%1 · model step %2</source>
        <translation>%1 · 模型第 %2 步</translation>
    </message>
    <message>
        <source>Decoding step by step appears once a model is trained or opened.</source>
        <translation>训练或打开模型后，这里将逐步显示解码过程。</translation>
    </message>
    <message>
        <source>Output: %1</source>
        <translation>输出：%1</translation>
    </message>
    <message>
        <source>Next-token probabilities</source>
        <translation>下一个词元的概率</translation>
    </message>
    <message>
        <source>Step %1 · after %2 · %3 %4 (p = %5)</source>
        <translation>第 %1 步 · 在 %2 之后 · %3 %4（p = %5）</translation>
    </message>
    <message>
        <source>forced</source>
        <translation>强制</translation>
    </message>
    <message>
        <source>Cross-attention over the source</source>
        <translation>对源句的交叉注意力</translation>
    </message>
    <message>
        <source>Cross-attention of step %1 (query %2) · layer %3 · %4</source>
        <translation>第 %1 步的交叉注意力（查询 %2）· 第 %3 层 · %4</translation>
    </message>
</context>
<context>
    <name>al::ui::DecodingViewModel</name>
    <message>
        <source>&apos;%1&apos; is not in the target vocabulary</source>
        <translation>“%1”不在目标词表中</translation>
    </message>
    <message>
        <source>&apos;%1&apos; cannot be forced (the decoder never generates it)</source>
        <translation>“%1”无法强制（解码器从不生成它）</translation>
    </message>
    <message>
        <source>beam search, width %1, length penalty α = %2</source>
        <translation>束搜索，束宽 %1，长度惩罚 α = %2</translation>
    </message>
    <message>
        <source>sampling, temperature %1, top-k %2, top-p %3, seed %4</source>
        <translation>采样，温度 %1，top-k %2，top-p %3，种子 %4</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>greedy search</source>
        <translation>贪心搜索</translation>
    </message>
    <message numerus="yes">
        <source>%n forced token(s)</source>
        <translation>
            <numerusform>%n 个强制词元</numerusform>
        </translation>
    </message>
    <message>
        <source>score %1</source>
        <translation>得分 %1</translation>
    </message>
</context>
<context>
    <name>al::ui::DemoModels</name>
    <message>
        <source>Open &amp;demo model</source>
        <translation>打开演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>(no demo models installed)</source>
        <translation>（未安装演示模型）</translation>
    </message>
    <message>
        <source>(the demo list cannot be read)</source>
        <translation>（无法读取演示模型列表）</translation>
    </message>
    <message>
        <source>The demo model %1 is not installed (no %2).</source>
        <translation>演示模型 %1 未安装（缺少 %2）。</translation>
    </message>
    <message>
        <source>There is no demo model %1.</source>
        <translation>没有演示模型 %1。</translation>
    </message>
    <message>
        <source>Opened the demo model “%1”. Type a sentence to see its attention; Train continues training it or starts from scratch.</source>
        <translation>已打开演示模型“%1”。输入一个句子即可查看它的注意力；“训练”可以继续训练它，或从头开始。</translation>
    </message>
    <message>
        <source>No demo models are installed: press Train to train a model, or open a model directory.</source>
        <translation>未安装演示模型：按“训练”训练一个模型，或打开一个模型目录。</translation>
    </message>
    <message>
        <source>The demo models cannot be listed: %1</source>
        <translation>无法列出演示模型：%1</translation>
    </message>
</context>
<context>
    <name>al::ui::Exporters</name>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>SVG vector image (*.svg)</source>
        <translation>SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>CSV numbers (*.csv)</source>
        <translation>CSV 数值 (*.csv)</translation>
    </message>
    <message>
        <source>the size must be from 16 to 20000 pixels each way, got %1 x %2</source>
        <translation>尺寸的宽和高都必须在 16 到 20000 像素之间，实际为 %1 x %2</translation>
    </message>
    <message>
        <source>the resolution must be from 24 to 2400 dpi, got %1</source>
        <translation>分辨率必须在 24 到 2400 dpi 之间，实际为 %1</translation>
    </message>
    <message>
        <source>no attention kind selected</source>
        <translation>未选择注意力类型</translation>
    </message>
    <message>
        <source>no format selected</source>
        <translation>未选择格式</translation>
    </message>
    <message>
        <source>--kind %1: this model records no %2</source>
        <translation>--kind %1：此模型没有记录%2</translation>
    </message>
    <message>
        <source>--layer %1: %2 has %3 layer(s) (1-%3)</source>
        <translation>--layer %1：%2共有 %3 层（1-%3）</translation>
    </message>
    <message>
        <source>--head %1: %2 layer %3 has %4 head(s) (1-%4)</source>
        <translation>--head %1：%2第 %3 层共有 %4 个注意力头（1-%4）</translation>
    </message>
    <message>
        <source>the trace records no attention of the selected kinds</source>
        <translation>追踪记录中没有所选类型的注意力</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3</translation>
    </message>
</context>
<context>
    <name>al::ui::FigureSizeDialog</name>
    <message>
        <source>Figure size</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>宽度：</translation>
    </message>
    <message>
        <source>Height:</source>
        <translation>高度：</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>分辨率：</translation>
    </message>
    <message>
        <source>Printed size:</source>
        <translation>打印尺寸：</translation>
    </message>
    <message>
        <source>%1 × %2 cm (%3 × %4 in)</source>
        <translation>%1 × %2 厘米（%3 × %4 英寸）</translation>
    </message>
</context>
<context>
    <name>al::ui::GuiMain</name>
    <message>
        <source>Open the session file &lt;file&gt; at start.</source>
        <translation>启动时打开会话文件 &lt;file&gt;。</translation>
    </message>
    <message>
        <source>Print the milliseconds from the program&apos;s start to the first attention map drawn, then quit.</source>
        <translation>打印从程序启动到画出第一张注意力图所用的毫秒数，然后退出。</translation>
    </message>
    <message>
        <source>Start without opening the default demo model.</source>
        <translation>启动时不打开默认演示模型。</translation>
    </message>
    <message>
        <source>Start in presenter mode (F11).</source>
        <translation>以演示者模式启动（F11）。</translation>
    </message>
    <message>
        <source>A session file (.json) to open at start.</source>
        <translation>启动时要打开的会话文件（.json）。</translation>
    </message>
    <message>
        <source>Unexpected argument &apos;%1&apos; (a session file ends in .json).</source>
        <translation>意外的参数 &apos;%1&apos;（会话文件以 .json 结尾）。</translation>
    </message>
    <message>
        <source>Only one session file can be opened; got &apos;%1&apos; and &apos;%2&apos;.</source>
        <translation>只能打开一个会话文件；收到了 &apos;%1&apos; 和 &apos;%2&apos;。</translation>
    </message>
</context>
<context>
    <name>al::ui::HeadAblationPanel</name>
    <message>
        <source>Click a head to switch it off (Michel et al. 2019): its output is zeroed or replaced by its mean, and the translation, the validation loss and the BLEU of a held-out sample are computed again.</source>
        <translation>点击一个注意力头即可关闭它（Michel 等 2019）：它的输出被置零或换成它的平均值，然后重新计算翻译、验证损失和一组留出样本的 BLEU。</translation>
    </message>
    <message>
        <source>Zero the head&apos;s output</source>
        <translation>把该头的输出置零</translation>
    </message>
    <message>
        <source>Replace it by its mean</source>
        <translation>换成它的平均值</translation>
    </message>
    <message>
        <source>Restore all heads</source>
        <translation>恢复所有注意力头</translation>
    </message>
    <message>
        <source>Head importance</source>
        <translation>注意力头重要性</translation>
    </message>
    <message>
        <source>Switch each head off alone and rank the heads by the rise in validation loss.</source>
        <translation>逐个单独关闭每个头，按验证损失的上升给所有头排序。</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>%1, layer %2, head %3: click to switch it off</source>
        <translation>%1，第 %2 层，头 %3：点击关闭</translation>
    </message>
    <message>
        <source>Scoring…</source>
        <translation>正在评分…</translation>
    </message>
    <message>
        <source>Switching each head off in turn…</source>
        <translation>正在逐个关闭每个头…</translation>
    </message>
    <message>
        <source>&lt;b&gt;all heads&lt;/b&gt;</source>
        <translation>&lt;b&gt;全部注意力头&lt;/b&gt;</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;%n head(s) off&lt;/b&gt;</source>
        <translation>
            <numerusform>&lt;b&gt;关闭 %n 个头&lt;/b&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;change&lt;/b&gt;</source>
        <translation>&lt;b&gt;变化&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>attention, layer</source>
        <translation>注意力，层</translation>
    </message>
    <message>
        <source>rise in validation loss</source>
        <translation>验证损失的上升</translation>
    </message>
    <message>
        <source>Loss rise with the head alone off (intact %1)</source>
        <translation>单独关闭该头时损失的上升（完整模型 %1）</translation>
    </message>
    <message>
        <source>The %1 most important of %2 heads</source>
        <translation>%2 个头中最重要的 %1 个</translation>
    </message>
    <message>
        <source>fall in BLEU</source>
        <translation>BLEU 的下降</translation>
    </message>
    <message>
        <source>gradient importance</source>
        <translation>梯度重要性</translation>
    </message>
    <message>
        <source>Gradient importance (Michel et al. 2019), normalised per layer</source>
        <translation>梯度重要性（Michel 等 2019），按层归一化</translation>
    </message>
    <message>
        <source>BLEU fall with the head alone off (intact %1)</source>
        <translation>单独关闭该头时 BLEU 的下降（完整模型 %1）</translation>
    </message>
    <message>
        <source>fall in accuracy</source>
        <translation>准确率的下降</translation>
    </message>
    <message>
        <source>Click a head to switch it off (Michel et al. 2019): its output is zeroed or replaced by its mean, and the model&apos;s answer for the typed text, the validation loss and the accuracy of a held-out sample are computed again.</source>
        <translation>点击一个注意力头即可关闭它（Michel 等 2019）：它的输出被置零或换成它的平均值，然后重新计算模型对输入文本的回答、验证损失和一组留出样本的准确率。</translation>
    </message>
    <message>
        <source>Open or train a model to switch its heads off.</source>
        <translation>打开或训练一个模型，即可关闭它的注意力头。</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>词性标签</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Continuation</source>
        <translation>续写</translation>
    </message>
    <message>
        <source>[MASK] fillers</source>
        <translation>[MASK] 的填充词</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 个百分点</translation>
    </message>
    <message>
        <source>%1 held-out windows of %2 characters of the text (its validation part as &lt;tt&gt;train --task&lt;/tt&gt; cuts it), accuracy of the next character; greedy continuation; model step %3.</source>
        <translation>文本中 %1 个 %2 字符长的留出窗口（即 &lt;tt&gt;train --task&lt;/tt&gt; 切分出的验证部分），下一个字符的准确率；贪心续写；模型第 %3 步。</translation>
    </message>
    <message>
        <source>%1 held-out examples of the task&apos;s data (its validation split as &lt;tt&gt;train --task&lt;/tt&gt; cuts it); model step %2.</source>
        <translation>任务数据中 %1 个留出样例（即 &lt;tt&gt;train --task&lt;/tt&gt; 切分出的验证集）；模型第 %2 步。</translation>
    </message>
    <message>
        <source>%1 held-out pairs of the validation set regenerated from the model&apos;s task.json, greedy decoding; model step %2.</source>
        <translation>按模型的 task.json 重新生成的验证集中 %1 个留出序列对，贪心解码；模型第 %2 步。</translation>
    </message>
    <message>
        <source>%1 held-out sentence pairs of the corpus (its validation split as &lt;tt&gt;train&lt;/tt&gt; cuts it), greedy decoding; model step %2.</source>
        <translation>语料中 %1 个留出句对（即 &lt;tt&gt;train&lt;/tt&gt; 切分出的验证集），贪心解码；模型第 %2 步。</translation>
    </message>
    <message>
        <source>Accuracy fall with the head alone off (intact %1)</source>
        <translation>单独关闭该头时准确率的下降（完整模型 %1）</translation>
    </message>
</context>
<context>
    <name>al::ui::HeatmapWidget</name>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>No attention yet</source>
        <translation>尚无注意力</translation>
    </message>
    <message>
        <source>Export numbers as CSV…</source>
        <translation>将数值导出为 CSV…</translation>
    </message>
    <message>
        <source>Export as %1…</source>
        <translation>导出为 %1…</translation>
    </message>
    <message>
        <source>Colour map</source>
        <translation>配色方案</translation>
    </message>
    <message>
        <source>Colour range</source>
        <translation>颜色范围</translation>
    </message>
    <message>
        <source>%1 %2 → %3 %4: %5</source>
        <translation>%1 %2 → %3 %4：%5</translation>
    </message>
</context>
<context>
    <name>al::ui::HiddenStatesPanel</name>
    <message>
        <source>Example:</source>
        <translation>示例：</translation>
    </message>
    <message>
        <source>occurrence:</source>
        <translation>第几次出现：</translation>
    </message>
    <message>
        <source>Sentence A:</source>
        <translation>句子 A：</translation>
    </message>
    <message>
        <source>Sentence B:</source>
        <translation>句子 B：</translation>
    </message>
    <message>
        <source>PCA of layer:</source>
        <translation>PCA 所在层：</translation>
    </message>
    <message>
        <source>Word:</source>
        <translation>词：</translation>
    </message>
    <message>
        <source>Sentence %1: %2</source>
        <translation>句子 %1：%2</translation>
    </message>
    <message>
        <source>Open or train a model to compare hidden states.</source>
        <translation>打开或训练一个模型来比较隐藏状态。</translation>
    </message>
    <message>
        <source>Cosine similarity of “%1” (position %2 of A, %3 of B) after each layer; model step %4. At the embedding the two differ only by their positional encodings; self-attention then mixes in each context.</source>
        <translation>“%1”（A 的第 %2 个位置，B 的第 %3 个位置）在每一层之后的余弦相似度；模型第 %4 步。在嵌入层，两者只差在位置编码；之后自注意力把各自的上下文混合进来。</translation>
    </message>
    <message>
        <source>“%1” in A vs in B</source>
        <translation>A 中与 B 中的“%1”</translation>
    </message>
    <message>
        <source>different words (mean)</source>
        <translation>不同的词（平均）</translation>
    </message>
    <message>
        <source>cosine similarity</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>representation after</source>
        <translation>之后的表示</translation>
    </message>
    <message>
        <source>The same word in two contexts</source>
        <translation>同一个词在两个上下文中</translation>
    </message>
    <message>
        <source>PC1 (%1 % of variance)</source>
        <translation>PC1（方差的 %1 %）</translation>
    </message>
    <message>
        <source>PC2 (%1 % of variance)</source>
        <translation>PC2（方差的 %1 %）</translation>
    </message>
    <message>
        <source>%1 · sentence %2, position %3</source>
        <translation>%1 · 句子 %2，第 %3 个位置</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>“%1” compared</source>
        <translation>所比较的“%1”</translation>
    </message>
    <message>
        <source>Hidden states after %1 (PCA)</source>
        <translation>%1之后的隐藏状态（PCA）</translation>
    </message>
    <message>
        <source>Colour by:</source>
        <translation>着色依据：</translation>
    </message>
    <message>
        <source>sentence</source>
        <translation>句子</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>tag (taggers)</source>
        <translation>标签（词性标注模型）</translation>
    </message>
    <message>
        <source>%1 · tag %2</source>
        <translation>%1 · 标签 %2</translation>
    </message>
</context>
<context>
    <name>al::ui::Language</name>
    <message>
        <source>Cannot load the translation %1.</source>
        <translation>无法加载翻译文件 %1。</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>al::ui::LessonPanel</name>
    <message>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>课程(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Previous step</source>
        <translation>上一步(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Next step</source>
        <translation>下一步(&amp;N)</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>No lesson open</source>
        <translation>未打开课程</translation>
    </message>
    <message>
        <source>&lt;p&gt;Choose a lesson in the Lessons menu.&lt;/p&gt;</source>
        <translation>&lt;p&gt;请在“课程”菜单中选择一节课。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1 (cannot be read: %2)</source>
        <translation>%1（无法读取：%2）</translation>
    </message>
    <message>
        <source>&amp;Open lesson file…</source>
        <translation>打开课程文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Show the lesson panel</source>
        <translation>显示课程面板</translation>
    </message>
    <message>
        <source>Cannot open the lesson</source>
        <translation>无法打开课程</translation>
    </message>
    <message>
        <source>Open lesson file</source>
        <translation>打开课程文件</translation>
    </message>
    <message>
        <source>Lessons (*.json)</source>
        <translation>课程 (*.json)</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <source>Lesson step</source>
        <translation>课程步骤</translation>
    </message>
    <message>
        <source>%1: the step points at &quot;%2&quot;, which this window does not have.</source>
        <translation>%1：该步骤指向“%2”，但本窗口中没有这个控件。</translation>
    </message>
</context>
<context>
    <name>al::ui::LiveTrainingPanel</name>
    <message>
        <source>Loss (nats per target token)</source>
        <translation>损失（每个目标词元的奈特数）</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Step:</source>
        <translation>步：</translation>
    </message>
    <message>
        <source>Epoch:</source>
        <translation>轮次：</translation>
    </message>
    <message>
        <source>Train loss:</source>
        <translation>训练损失：</translation>
    </message>
    <message>
        <source>Validation loss:</source>
        <translation>验证损失：</translation>
    </message>
    <message>
        <source>Perplexity:</source>
        <translation>困惑度：</translation>
    </message>
    <message>
        <source>Token accuracy:</source>
        <translation>词元准确率：</translation>
    </message>
    <message>
        <source>Task metric:</source>
        <translation>任务指标：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Gradient norm:</source>
        <translation>梯度范数：</translation>
    </message>
    <message>
        <source>Tokens/s:</source>
        <translation>词元/秒：</translation>
    </message>
    <message>
        <source>(no model yet — press Train or open a model directory)</source>
        <translation>（尚无模型 — 请按“训练”或打开模型目录）</translation>
    </message>
    <message>
        <source>At step %1</source>
        <translation>第 %1 步时</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Valid %1:</source>
        <translation>验证%1：</translation>
    </message>
    <message>
        <source>At step %1, over %2 %3</source>
        <translation>第 %1 步时，基于 %2 个%3</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>examples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Validation at step %1: %2 nats/char, %3 bits/char, next-character accuracy %4%.</source>
        <translation>第 %1 步验证：每字符 %2 奈特，每字符 %3 比特，下一字符准确率 %4%。</translation>
    </message>
    <message>
        <source>Validation at step %1: loss %2, %3 %4.</source>
        <translation>第 %1 步验证：损失 %2，%3 %4。</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
</context>
<context>
    <name>al::ui::MainWindow</name>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Loading corpus and building the model…</source>
        <translation>正在加载语料并构建模型…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Stopping (final validation)…</source>
        <translation>正在停止（最终验证）…</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Press Train to train a model on the bundled English–Chinese corpus, or open a model directory.</source>
        <translation>按“训练”在自带的英汉语料上训练模型，或打开一个模型目录。</translation>
    </message>
    <message>
        <source>(cannot run the model: %1)</source>
        <translation>（无法运行模型：%1）</translation>
    </message>
    <message>
        <source>%1 tokens: %2 · %3 model step %4</source>
        <translation>%1 个词元：%2 · %3 模型第 %4 步</translation>
    </message>
    <message>
        <source>causal self-attention ·</source>
        <translation>因果自注意力 ·</translation>
    </message>
    <message>
        <source>self-attention ·</source>
        <translation>自注意力 ·</translation>
    </message>
    <message>
        <source>(cannot translate: %1)</source>
        <translation>（无法翻译：%1）</translation>
    </message>
    <message numerus="yes">
        <source>Source tokens: %1 · %n output token(s) · model step %2</source>
        <translation>
            <numerusform>源词元：%1 · %n 个输出词元 · 模型第 %2 步</numerusform>
        </translation>
    </message>
    <message>
        <source>Training stopped at step %1.</source>
        <translation>训练在第 %1 步停止。</translation>
    </message>
    <message>
        <source>Saved the %1 model to %2; Experiments → Task model probe opens it.</source>
        <translation>已将 %1 模型保存到 %2；可用“实验 → 任务模型探查”打开它。</translation>
    </message>
    <message>
        <source>Saved the model to %1.</source>
        <translation>已将模型保存到 %1。</translation>
    </message>
    <message>
        <source>Saving failed</source>
        <translation>保存失败</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>训练正在进行</translation>
    </message>
    <message>
        <source>Stop training before opening another model.</source>
        <translation>请先停止训练，再打开其他模型。</translation>
    </message>
    <message>
        <source>Open model directory</source>
        <translation>打开模型目录</translation>
    </message>
    <message>
        <source>Cannot open the model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Opened the %1 model %2; Train continues training it (Experiments → Task model probe tries it too).</source>
        <translation>已打开 %1 模型 %2；“训练”会继续训练它（也可用“实验 → 任务模型探查”试用）。</translation>
    </message>
    <message>
        <source>Opened %1; Train continues training it.</source>
        <translation>已打开 %1；“训练”会继续训练它。</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>没有可保存的内容</translation>
    </message>
    <message>
        <source>Train a model or open one first.</source>
        <translation>请先训练或打开一个模型。</translation>
    </message>
    <message>
        <source>Save model directory</source>
        <translation>保存模型目录</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Attention Lab&lt;/h3&gt;&lt;p&gt;A desktop laboratory for the Transformer: train a small model and watch its attention.&lt;/p&gt;&lt;p&gt;Licence: GNU General Public License, version 3 or later (GPL-3.0-or-later).&lt;br&gt;Plots: QCustomPlot by Emanuel Eichhammer, GPL.&lt;br&gt;Built with Qt %1 and Eigen.&lt;/p&gt;&lt;p&gt;Data: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Attention Lab&lt;/h3&gt;&lt;p&gt;Transformer 桌面实验室：训练一个小模型，观察它的注意力。&lt;/p&gt;&lt;p&gt;许可证：GNU 通用公共许可证第 3 版或更高版本（GPL-3.0-or-later）。&lt;br&gt;绘图：QCustomPlot，作者 Emanuel Eichhammer，GPL。&lt;br&gt;基于 Qt %1 与 Eigen 构建。&lt;/p&gt;&lt;p&gt;数据：%2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About Attention Lab</source>
        <translation>关于 Attention Lab</translation>
    </message>
    <message>
        <source>Stopping training…</source>
        <translation>正在停止训练…</translation>
    </message>
    <message>
        <source>Numbers as &amp;CSV…</source>
        <translation>数值导出为 &amp;CSV…</translation>
    </message>
    <message>
        <source>As &amp;%1…</source>
        <translation>&amp;%1 格式…</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open model directory…</source>
        <translation>打开模型目录(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save model directory…</source>
        <translation>保存模型目录(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Export focused heatmap</source>
        <translation>导出聚焦的热力图(&amp;E)</translation>
    </message>
    <message>
        <source>Export &amp;all layers and heads…</source>
        <translation>导出所有层和注意力头(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Experiments</source>
        <translation>实验(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Race attention variants…</source>
        <translation>注意力变体竞赛(&amp;R)…</translation>
    </message>
    <message>
        <source>Train vanilla attention and the Synthesizer variants on the same task and budget; compare their validation curves and scores.</source>
        <translation>在相同任务和预算下训练原版注意力与各合成器变体，比较它们的验证曲线和得分。</translation>
    </message>
    <message>
        <source>&amp;Task model probe…</source>
        <translation>任务模型探查(&amp;T)…</translation>
    </message>
    <message>
        <source>Try a trained task model (mlm, sentiment, langid, pos, charlm) on a sentence.</source>
        <translation>在一个句子上试用训练好的任务模型（mlm、sentiment、langid、pos、charlm）。</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Attention Lab</source>
        <translation>关于 Attention Lab(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Cannot switch the language</source>
        <translation>无法切换语言</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Layers × heads</source>
        <translation>层 × 注意力头</translation>
    </message>
    <message>
        <source>Synthesizer</source>
        <translation>合成器</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>Positional encoding</source>
        <translation>位置编码</translation>
    </message>
    <message>
        <source>Forward pass</source>
        <translation>前向传播</translation>
    </message>
    <message>
        <source>Training plots</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <source>Attention Lab</source>
        <translation>Attention Lab</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Training paused</source>
        <translation>训练已暂停</translation>
    </message>
    <message>
        <source>%1. Training paused with the weights of step %2; File → Save model directory saves them. Lower the LR factor and press Resume, or press Stop.</source>
        <translation>%1。训练已暂停，保留第 %2 步的权重；“文件 → 保存模型目录”可以保存这些权重。请调低学习率因子后按“继续”，或按“停止”。</translation>
    </message>
    <message>
        <source>Autosaved step %1 to %2.</source>
        <translation>已将第 %1 步自动保存到 %2。</translation>
    </message>
    <message>
        <source>Autosave to %1 failed: %2</source>
        <translation>自动保存到 %1 失败：%2</translation>
    </message>
    <message>
        <source>Attention flow</source>
        <translation>注意力流</translation>
    </message>
    <message>
        <source>Hidden states</source>
        <translation>隐藏状态</translation>
    </message>
    <message>
        <source>Head ablation</source>
        <translation>注意力头消融</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>训练时间线</translation>
    </message>
</context>
<context>
    <name>al::ui::OverviewPanel</name>
    <message>
        <source>Every head of every layer appears here once a model translates the sentence. Hover a cell for query, key and weight; click a thumbnail to focus it.</source>
        <translation>模型翻译句子后，这里会显示每一层的每个注意力头。悬停在单元格上可查看查询、键和权重；点击缩略图可聚焦该注意力头。</translation>
    </message>
    <message>
        <source>L%1 H%2</source>
        <translation>层%1 头%2</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3 — click to focus</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3 — 点击聚焦</translation>
    </message>
</context>
<context>
    <name>al::ui::PositionalEncodingPanel</name>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>cosine similarity</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>PE[a] · PE[b]</source>
        <translation>PE[a] · PE[b]</translation>
    </message>
    <message>
        <source>d_model:</source>
        <translation>d_model：</translation>
    </message>
    <message>
        <source>Width of the sinusoidal preview (the model&apos;s own d_model when one is loaded).</source>
        <translation>正弦预览的宽度（加载模型后使用模型自己的 d_model）。</translation>
    </message>
    <message>
        <source>positions:</source>
        <translation>位置数：</translation>
    </message>
    <message>
        <source>dimensions to plot:</source>
        <translation>绘制的维度：</translation>
    </message>
    <message>
        <source>0-based dimensions separated by commas; ranges such as 4-7.</source>
        <translation>从 0 开始的维度，用逗号分隔；也可写范围，如 4-7。</translation>
    </message>
    <message>
        <source>similarity:</source>
        <translation>相似度：</translation>
    </message>
    <message>
        <source>dot product</source>
        <translation>点积</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>PE value</source>
        <translation>位置编码值</translation>
    </message>
    <message>
        <source>Chosen dimensions over positions</source>
        <translation>所选维度随位置的变化</translation>
    </message>
    <message>
        <source>dimension</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>Sinusoidal: sin / cos of position × 10000^(−2i/d_model)</source>
        <translation>正弦位置编码：位置 × 10000^(−2i/d_model) 的 sin / cos</translation>
    </message>
    <message>
        <source>Learned: pos_emb.weight of the current model</source>
        <translation>可学习位置编码：当前模型的 pos_emb.weight</translation>
    </message>
    <message>
        <source>Dimensions to plot: %1</source>
        <translation>绘制的维度：%1</translation>
    </message>
    <message>
        <source>Sinusoidal preview. Open or train a model to compare with its positional encoding.</source>
        <translation>正弦位置编码预览。打开或训练一个模型，可与它的位置编码比较。</translation>
    </message>
    <message>
        <source>Model (step %1): &lt;b&gt;%2&lt;/b&gt; positional encoding, d_model %3, max_len %4.%5</source>
        <translation>模型（第 %1 步）：&lt;b&gt;%2&lt;/b&gt;位置编码，d_model %3，max_len %4。%5</translation>
    </message>
    <message>
        <source>Without one the model cannot tell positions apart (self-attention is permutation-equivariant).</source>
        <translation>没有位置编码，模型就无法区分位置（自注意力具有置换等变性）。</translation>
    </message>
    <message>
        <source>Chosen dimensions over positions (dashed: the learned table)</source>
        <translation>所选维度随位置的变化（虚线：可学习的位置编码表）</translation>
    </message>
    <message>
        <source>dim %1 (%2, λ = %3)</source>
        <translation>维度 %1（%2，λ = %3）</translation>
    </message>
    <message>
        <source>dim %1 learned</source>
        <translation>维度 %1（学习所得）</translation>
    </message>
    <message>
        <source>Sinusoidal PE: %1 positions × %2 dimensions</source>
        <translation>正弦位置编码：%1 个位置 × %2 维</translation>
    </message>
    <message>
        <source>Sinusoidal %1: a function of a − b only</source>
        <translation>正弦位置编码的%1：只取决于 a − b</translation>
    </message>
    <message>
        <source>Learned PE (step %1): %2 of %3 positions × %4 dimensions</source>
        <translation>可学习位置编码（第 %1 步）：%3 个位置中的 %2 个 × %4 维</translation>
    </message>
    <message>
        <source>Learned %1</source>
        <translation>可学习位置编码的%1</translation>
    </message>
</context>
<context>
    <name>al::ui::PositionalEncodingViewModel</name>
    <message>
        <source>dimension %1 (in &apos;%2&apos;) is outside 0-%3</source>
        <translation>维度 %1（在“%2”中）超出 0-%3</translation>
    </message>
    <message>
        <source>at most %1 dimensions</source>
        <translation>最多 %1 个维度</translation>
    </message>
    <message>
        <source>range &apos;%1&apos; runs backwards</source>
        <translation>范围“%1”是倒序的</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a dimension or a range (e.g. 0, 1, 4-7)</source>
        <translation>“%1”不是维度或范围（例如 0, 1, 4-7）</translation>
    </message>
    <message>
        <source>no dimensions given (e.g. 0, 1, 4-7)</source>
        <translation>没有给出维度（例如 0, 1, 4-7）</translation>
    </message>
</context>
<context>
    <name>al::ui::PresenterMode</name>
    <message>
        <source>&amp;Presenter mode</source>
        <translation>演示者模式(&amp;P)</translation>
    </message>
    <message>
        <source>Full screen in large type with thick lines and high-contrast colours, for a projector. Page Down / Page Up step through a lesson, Space trains or pauses.</source>
        <translation>全屏、大字号、粗线条和高对比度配色，适合投影仪。Page Down / Page Up 逐步浏览课程，空格键开始或暂停训练。</translation>
    </message>
</context>
<context>
    <name>al::ui::RaceWindow</name>
    <message>
        <source>Attention variant race</source>
        <translation>注意力变体竞赛</translation>
    </message>
    <message>
        <source>Reverse a sequence</source>
        <translation>反转序列</translation>
    </message>
    <message>
        <source>Copy a sequence</source>
        <translation>复制序列</translation>
    </message>
    <message>
        <source>Sort a sequence</source>
        <translation>排序序列</translation>
    </message>
    <message>
        <source>Translate (bundled Chinese–English)</source>
        <translation>翻译（自带的汉英语料）</translation>
    </message>
    <message>
        <source>Steps per variant</source>
        <translation>每个变体的步数</translation>
    </message>
    <message>
        <source>Minutes per variant</source>
        <translation>每个变体的分钟数</translation>
    </message>
    <message>
        <source>Start race</source>
        <translation>开始竞赛</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <source>Validation loss per variant</source>
        <translation>各变体的验证损失</translation>
    </message>
    <message>
        <source>optimizer step</source>
        <translation>优化器步数</translation>
    </message>
    <message>
        <source>valid loss (nats/token)</source>
        <translation>验证损失（奈特/词元）</translation>
    </message>
    <message>
        <source>Choose a task and a budget, then Start race: the eight self-attention variants (vanilla and the Synthesizers) train one after another on the same data and seed.</source>
        <translation>选择任务和预算，然后按“开始竞赛”：八种自注意力变体（原版和各合成器）依次在相同的数据和随机种子上训练。</translation>
    </message>
    <message>
        <source>Race stopped: %1 of %2 variants finished.</source>
        <translation>竞赛已停止：%2 个变体中完成了 %1 个。</translation>
    </message>
    <message>
        <source>Race finished: %1 variants.</source>
        <translation>竞赛完成：%1 个变体。</translation>
    </message>
    <message>
        <source>Race failed: %1</source>
        <translation>竞赛失败：%1</translation>
    </message>
    <message>
        <source>Race failed</source>
        <translation>竞赛失败</translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation>%1 步</translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>Racing %1 variants on %2, %3 each, %4 thread(s)…</source>
        <translation>正在 %2 上比较 %1 个变体，每个 %3，%4 个线程…</translation>
    </message>
</context>
<context>
    <name>al::ui::SentenceInput</name>
    <message>
        <source>Too long for the model: it reads at most %1 tokens (max_len %2), so the last %1 of the text&apos;s %3 tokens were kept as its context.</source>
        <translation>文本太长：模型最多读取 %1 个词元（max_len %2），因此只保留了文本 %3 个词元中的最后 %1 个作为上下文。</translation>
    </message>
    <message>
        <source>Too long for the model: it reads at most %1 tokens (max_len %2), so the first %1 of the text&apos;s %3 tokens were kept and the rest is ignored.</source>
        <translation>文本太长：模型最多读取 %1 个词元（max_len %2），因此只保留了文本 %3 个词元中的前 %1 个，其余部分被忽略。</translation>
    </message>
    <message numerus="yes">
        <source>Every token of the text (%n) is unknown to the model&apos;s vocabulary: the model reads only &lt;unk&gt;.</source>
        <translation>
            <numerusform>文本中的每个词元（%n 个）都不在模型的词表中：模型读到的只有 &lt;unk&gt;。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) not in the model&apos;s vocabulary, read as &lt;unk&gt;:</source>
        <translation>
            <numerusform>%n 个词元不在模型的词表中，按 &lt;unk&gt; 读取：</numerusform>
        </translation>
    </message>
    <message>
        <source>Type a sentence: the model runs on what you type here.</source>
        <translation>请输入一个句子：模型会对你在这里输入的内容运行。</translation>
    </message>
</context>
<context>
    <name>al::ui::SessionController</name>
    <message>
        <source>Open sess&amp;ion…</source>
        <translation>打开会话(&amp;I)…</translation>
    </message>
    <message>
        <source>Open a session file: the model, every setting, the seed, the view and the lesson of a run.</source>
        <translation>打开会话文件：一次运行的模型、全部设置、随机种子、视图和课程。</translation>
    </message>
    <message>
        <source>Sa&amp;ve session…</source>
        <translation>保存会话(&amp;V)…</translation>
    </message>
    <message>
        <source>Save the model reference, every setting, the seed, the view and the lesson as a session file that reproduces this run.</source>
        <translation>把模型引用、全部设置、随机种子、视图和课程保存为会话文件，用它可以复现这次运行。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Opened the session %1.</source>
        <translation>已打开会话 %1。</translation>
    </message>
    <message>
        <source>Cannot open the session</source>
        <translation>无法打开会话</translation>
    </message>
    <message>
        <source>Saved the session %1.</source>
        <translation>已保存会话 %1。</translation>
    </message>
    <message>
        <source>Open session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Attention Lab sessions (*.json);;All files (*)</source>
        <translation>Attention Lab 会话 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>Cannot save the session</source>
        <translation>无法保存会话</translation>
    </message>
    <message>
        <source>Lesson step</source>
        <translation>课程步骤</translation>
    </message>
    <message>
        <source>%1, step %2: %3</source>
        <translation>%1，第 %2 步：%3</translation>
    </message>
</context>
<context>
    <name>al::ui::SettingsForm</name>
    <message>
        <source>Required: %1</source>
        <translation>必填：%1</translation>
    </message>
    <message>
        <source>Bundled: %1</source>
        <translation>自带：%1</translation>
    </message>
    <message>
        <source>%1; several paths are separated by &apos;;&apos;; empty uses the bundled data where the task has some.</source>
        <translation>%1；多个路径用“;”分隔；留空则使用该任务自带的数据（若有）。</translation>
    </message>
    <message>
        <source>Context window:</source>
        <translation>上下文窗口：</translation>
    </message>
    <message>
        <source>Max length:</source>
        <translation>最大长度：</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Try the model</source>
        <translation>试用模型</translation>
    </message>
    <message>
        <source>Task metric:</source>
        <translation>任务指标：</translation>
    </message>
    <message>
        <source>Valid %1:</source>
        <translation>验证%1：</translation>
    </message>
    <message>
        <source>No corpus</source>
        <translation>没有语料</translation>
    </message>
    <message>
        <source>The bundled corpus (%1) was not found next to the program or in %2. Choose a tab-separated corpus file in the Data settings.</source>
        <translation>在程序旁边或 %2 中找不到自带语料（%1）。请在数据设置中选择一个制表符分隔的语料文件。</translation>
    </message>
    <message>
        <source>Cannot read &apos;%1&apos;.</source>
        <translation>无法读取“%1”。</translation>
    </message>
    <message>
        <source>Invalid model settings</source>
        <translation>模型设置无效</translation>
    </message>
</context>
<context>
    <name>al::ui::SettingsPanel</name>
    <message>
        <source>Task and data</source>
        <translation>任务与数据</translation>
    </message>
    <message>
        <source>What Train trains, as `attention-lab train --task`; choosing a task loads its default model and training settings.</source>
        <translation>“训练”所训练的任务，同 `attention-lab train --task`；选择任务会载入它默认的模型和训练设置。</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Bundled: Tatoeba English–Chinese</source>
        <translation>自带：Tatoeba 英汉句对</translation>
    </message>
    <message>
        <source>Tab-separated file of sentence pairs; empty uses the bundled corpus.</source>
        <translation>制表符分隔的句对文件；留空则使用自带语料。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Corpus (TSV):</source>
        <translation>语料（TSV）：</translation>
    </message>
    <message>
        <source>1-based column of the source sentence (bundled file: 2 = Chinese).</source>
        <translation>源句所在的列，从 1 开始（自带文件：2 = 中文）。</translation>
    </message>
    <message>
        <source>1-based column of the target sentence (bundled file: 1 = English).</source>
        <translation>目标句所在的列，从 1 开始（自带文件：1 = 英文）。</translation>
    </message>
    <message>
        <source>Source column:</source>
        <translation>源句列：</translation>
    </message>
    <message>
        <source>Target column:</source>
        <translation>目标句列：</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>数据：</translation>
    </message>
    <message>
        <source>Symbols 0 … V−1 (--task-vocab).</source>
        <translation>符号 0 … V−1（--task-vocab）。</translation>
    </message>
    <message>
        <source>Shortest generated sequence (--min-len).</source>
        <translation>生成序列的最短长度（--min-len）。</translation>
    </message>
    <message>
        <source>Longest generated sequence (--max-len).</source>
        <translation>生成序列的最大长度（--max-len）。</translation>
    </message>
    <message>
        <source>Training pairs generated (--task-pairs); %1 validation and %2 test sources are held out.</source>
        <translation>生成的训练样本对数（--task-pairs）；另留出 %1 个验证源序列和 %2 个测试源序列。</translation>
    </message>
    <message>
        <source>Symbols:</source>
        <translation>符号数：</translation>
    </message>
    <message>
        <source>Min length:</source>
        <translation>最小长度：</translation>
    </message>
    <message>
        <source>Max length:</source>
        <translation>最大长度：</translation>
    </message>
    <message>
        <source>Training pairs:</source>
        <translation>训练样本对：</translation>
    </message>
    <message>
        <source>max_len: longest sequence in tokens; for charlm the context window (--max-len).</source>
        <translation>max_len：以词元计的最长序列；对 charlm 即上下文窗口（--max-len）。</translation>
    </message>
    <message>
        <source>Words seen fewer times become &lt;unk&gt; (--min-count; charlm keeps every character).</source>
        <translation>出现次数少于此值的词变为 &lt;unk&gt;（--min-count；charlm 保留所有字符）。</translation>
    </message>
    <message>
        <source>Probability that a token is selected for prediction (--mask-prob; BERT: 0.15).</source>
        <translation>词元被选中作预测目标的概率（--mask-prob；BERT：0.15）。</translation>
    </message>
    <message>
        <source>Mean over tokens</source>
        <translation>词元平均</translation>
    </message>
    <message>
        <source>[CLS] position</source>
        <translation>[CLS] 位置</translation>
    </message>
    <message>
        <source>Classifier pooling (--pooling).</source>
        <translation>分类器的池化方式（--pooling）。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Adds a suffix token (word ending and case) of n characters to each word (--suffix-len).</source>
        <translation>为每个词添加一个 n 个字符的后缀词元（词尾与大小写）（--suffix-len）。</translation>
    </message>
    <message>
        <source>Min count:</source>
        <translation>最小词频：</translation>
    </message>
    <message>
        <source>Mask probability:</source>
        <translation>掩码概率：</translation>
    </message>
    <message>
        <source>Pooling:</source>
        <translation>池化：</translation>
    </message>
    <message>
        <source>Suffix length:</source>
        <translation>后缀长度：</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>d_model:</source>
        <translation>d_model：</translation>
    </message>
    <message>
        <source>Heads:</source>
        <translation>注意力头数：</translation>
    </message>
    <message>
        <source>Encoder layers:</source>
        <translation>编码器层数：</translation>
    </message>
    <message>
        <source>Decoder layers:</source>
        <translation>解码器层数：</translation>
    </message>
    <message>
        <source>d_ff:</source>
        <translation>d_ff：</translation>
    </message>
    <message>
        <source>Dot-product (vanilla)</source>
        <translation>点积（原版）</translation>
    </message>
    <message>
        <source>Dense Synthesizer</source>
        <translation>Dense 合成器</translation>
    </message>
    <message>
        <source>Random Synthesizer</source>
        <translation>Random 合成器</translation>
    </message>
    <message>
        <source>Fixed Random Synthesizer</source>
        <translation>Fixed Random 合成器</translation>
    </message>
    <message>
        <source>Factorized Dense Synthesizer</source>
        <translation>Factorized Dense 合成器</translation>
    </message>
    <message>
        <source>Factorized Random Synthesizer</source>
        <translation>Factorized Random 合成器</translation>
    </message>
    <message>
        <source>Mixture: Random + Vanilla</source>
        <translation>混合：Random + 原版</translation>
    </message>
    <message>
        <source>Mixture: Dense + Vanilla</source>
        <translation>混合：Dense + 原版</translation>
    </message>
    <message>
        <source>Mixture: Random + Dense</source>
        <translation>混合：Random + Dense</translation>
    </message>
    <message>
        <source>Alignment of encoder and decoder self-attention; cross-attention stays dot-product.</source>
        <translation>编码器和解码器自注意力的对齐方式；交叉注意力始终使用点积。</translation>
    </message>
    <message>
        <source>Attention:</source>
        <translation>注意力：</translation>
    </message>
    <message>
        <source>Scaled dot-product</source>
        <translation>缩放点积</translation>
    </message>
    <message>
        <source>Dot-product (unscaled)</source>
        <translation>点积（不缩放）</translation>
    </message>
    <message>
        <source>Additive (Bahdanau)</source>
        <translation>加性（Bahdanau）</translation>
    </message>
    <message>
        <source>Query-key score of dot-product attention (self and cross).</source>
        <translation>点积注意力中查询与键的打分方式（自注意力和交叉注意力）。</translation>
    </message>
    <message>
        <source>Softmax</source>
        <translation>Softmax</translation>
    </message>
    <message>
        <source>ReLU (unnormalised)</source>
        <translation>ReLU（不归一化）</translation>
    </message>
    <message>
        <source>How scores become attention weights.</source>
        <translation>分数如何变为注意力权重。</translation>
    </message>
    <message>
        <source>unrestricted</source>
        <translation>不限制</translation>
    </message>
    <message>
        <source>Restricted self-attention: query i sees keys j with |i - j| &lt;= window.</source>
        <translation>受限自注意力：查询 i 只看到满足 |i - j| &lt;= 窗口 的键 j。</translation>
    </message>
    <message>
        <source>Sinusoidal</source>
        <translation>正弦</translation>
    </message>
    <message>
        <source>Learned</source>
        <translation>可学习</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Positional encoding added to the token embeddings.</source>
        <translation>加到词元嵌入上的位置编码。</translation>
    </message>
    <message>
        <source>LayerNorm</source>
        <translation>LayerNorm（层归一化）</translation>
    </message>
    <message>
        <source>BatchNorm</source>
        <translation>BatchNorm（批归一化）</translation>
    </message>
    <message>
        <source>Normalisation in every block and after the encoder and decoder.</source>
        <translation>每个块中以及编码器和解码器之后的归一化。</translation>
    </message>
    <message>
        <source>Pre-LN (norm before each sublayer)</source>
        <translation>Pre-LN（在每个子层之前归一化）</translation>
    </message>
    <message>
        <source>ReLU</source>
        <translation>ReLU</translation>
    </message>
    <message>
        <source>GELU</source>
        <translation>GELU</translation>
    </message>
    <message>
        <source>Feed-forward non-linearity.</source>
        <translation>前馈网络的非线性激活函数。</translation>
    </message>
    <message>
        <source>Scoring:</source>
        <translation>打分：</translation>
    </message>
    <message>
        <source>Normalisation:</source>
        <translation>归一化：</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>窗口：</translation>
    </message>
    <message>
        <source>Positions:</source>
        <translation>位置编码：</translation>
    </message>
    <message>
        <source>Norm:</source>
        <translation>归一化层：</translation>
    </message>
    <message>
        <source>Activation:</source>
        <translation>激活函数：</translation>
    </message>
    <message>
        <source>Autoregressive</source>
        <translation>自回归</translation>
    </message>
    <message>
        <source>Non-autoregressive (NAT)</source>
        <translation>非自回归（NAT）</translation>
    </message>
    <message>
        <source>NAT: length predictor, copied source inputs, no causal mask, all target tokens in one pass (Gu et al. 2018).</source>
        <translation>NAT：长度预测器，复制源输入，无因果掩码，一次生成全部目标词元（Gu et al. 2018）。</translation>
    </message>
    <message>
        <source>Decoder:</source>
        <translation>解码器：</translation>
    </message>
    <message>
        <source>Dropout rate (--dropout).</source>
        <translation>Dropout 比率（--dropout）。</translation>
    </message>
    <message>
        <source>Dropout:</source>
        <translation>Dropout：</translation>
    </message>
    <message>
        <source>Dropout on the attention weights (--attention-dropout); &apos;same as dropout&apos; uses the dropout rate.</source>
        <translation>注意力权重上的 Dropout（--attention-dropout）；“同 Dropout”表示使用 Dropout 比率。</translation>
    </message>
    <message>
        <source>same as dropout</source>
        <translation>同 Dropout</translation>
    </message>
    <message>
        <source>Attention dropout:</source>
        <translation>注意力 Dropout：</translation>
    </message>
    <message>
        <source>Label smoothing of the cross-entropy (--label-smoothing).</source>
        <translation>交叉熵的标签平滑（--label-smoothing）。</translation>
    </message>
    <message>
        <source>Label smoothing:</source>
        <translation>标签平滑：</translation>
    </message>
    <message>
        <source>Off (teacher forcing)</source>
        <translation>关闭（教师强制）</translation>
    </message>
    <message>
        <source>Constant p</source>
        <translation>常数 p</translation>
    </message>
    <message>
        <source>Linear in the step</source>
        <translation>随步数线性变化</translation>
    </message>
    <message>
        <source>Inverse sigmoid</source>
        <translation>逆 sigmoid</translation>
    </message>
    <message>
        <source>Scheduled sampling (Bengio et al. 2015): with probability p a decoder input is the model&apos;s own prediction instead of the reference, to study exposure bias (--scheduled-sampling).</source>
        <translation>计划采样（Bengio et al. 2015）：解码器输入以概率 p 取模型自己的预测而非参考译文，用来研究曝光偏差（--scheduled-sampling）。</translation>
    </message>
    <message>
        <source>Constant: p; linear and inverse sigmoid: the largest p (--scheduled-sampling-p).</source>
        <translation>常数：p；线性和逆 sigmoid：p 的最大值（--scheduled-sampling-p）。</translation>
    </message>
    <message>
        <source>Linear: steps until p reaches its largest value; inverse sigmoid: k in 1 - k / (k + exp(step / k)) (--scheduled-sampling-k).</source>
        <translation>线性：p 达到最大值所需的步数；逆 sigmoid：1 - k / (k + exp(step / k)) 中的 k（--scheduled-sampling-k）。</translation>
    </message>
    <message>
        <source>Scheduled sampling:</source>
        <translation>计划采样：</translation>
    </message>
    <message>
        <source>Sampling p:</source>
        <translation>采样 p：</translation>
    </message>
    <message>
        <source>Sampling k:</source>
        <translation>采样 k：</translation>
    </message>
    <message>
        <source>Noam learning-rate factor (--lr-factor).</source>
        <translation>Noam 学习率因子（--lr-factor）。</translation>
    </message>
    <message>
        <source>Max tokens/batch:</source>
        <translation>每批最大词元数：</translation>
    </message>
    <message>
        <source>LR factor:</source>
        <translation>学习率因子：</translation>
    </message>
    <message>
        <source>Warm-up steps:</source>
        <translation>预热步数：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Data-parallel training threads; the window and the live translation use the cores left over.</source>
        <translation>数据并行训练的线程数；窗口和实时翻译使用剩余的核心。</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <source>Continue the current model</source>
        <translation>继续训练当前模型</translation>
    </message>
    <message>
        <source>Train the opened (or last trained) model further instead of a new one.</source>
        <translation>继续训练已打开（或最近训练）的模型，而不是新建模型。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Train a new model, or continue the opened one (F5).</source>
        <translation>训练新模型，或继续训练已打开的模型（F5）。</translation>
    </message>
    <message>
        <source>Pause or resume training (F6).</source>
        <translation>暂停或继续训练（F6）。</translation>
    </message>
    <message>
        <source>One optimizer step (starts a paused run when idle) (F10).</source>
        <translation>执行一次优化器更新（空闲时先启动一个暂停的训练）（F10）。</translation>
    </message>
    <message>
        <source>Stop training: final validation, then the thread ends (Shift+F5).</source>
        <translation>停止训练：先做最终验证，然后结束线程（Shift+F5）。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Choose a corpus</source>
        <translation>选择语料</translation>
    </message>
    <message>
        <source>Tab-separated text (*.txt *.tsv);;All files (*)</source>
        <translation>制表符分隔的文本 (*.txt *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>UD treebank directory (e.g. UD_English-EWT)</source>
        <translation>UD 树库目录（如 UD_English-EWT）</translation>
    </message>
    <message>
        <source>rt-polarity directory</source>
        <translation>rt-polarity 目录</translation>
    </message>
    <message>
        <source>Choose the data</source>
        <translation>选择数据</translation>
    </message>
    <message>
        <source>Text (*.txt *.tsv);;All files (*)</source>
        <translation>文本 (*.txt *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Unknown task</source>
        <translation>未知任务</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Continues the last trained model.</source>
        <translation>继续训练最近训练的模型。</translation>
    </message>
    <message>
        <source>Continues the model from %1.</source>
        <translation>继续训练来自 %1 的模型。</translation>
    </message>
    <message>
        <source>Train builds a new model.</source>
        <translation>“训练”将新建一个模型。</translation>
    </message>
    <message>
        <source>Minutes between saves of the training model (with its optimizer state) into its model directory: the one it was opened from, or the one the run was last saved to. Each save replaces the directory whole, so a crash keeps the previous checkpoint.</source>
        <translation>每隔多少分钟把训练中的模型（连同优化器状态）保存到其模型目录：打开它的目录，或本次训练最近一次保存到的目录。每次保存整体替换该目录，因此崩溃时会保留上一个检查点。</translation>
    </message>
    <message>
        <source>Autosave (minutes):</source>
        <translation>自动保存（分钟）：</translation>
    </message>
</context>
<context>
    <name>al::ui::StepPlot</name>
    <message>
        <source>step</source>
        <translation>步数</translation>
    </message>
</context>
<context>
    <name>al::ui::StepperPanel</name>
    <message>
        <source>The sentence whose forward pass is recorded (Enter runs it).</source>
        <translation>记录其前向传播的句子（按 Enter 运行）。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>First</source>
        <translation>第一步</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>最后一步</translation>
    </message>
    <message>
        <source>First step (Home)</source>
        <translation>第一步（Home）</translation>
    </message>
    <message>
        <source>Previous step (Left)</source>
        <translation>上一步（←）</translation>
    </message>
    <message>
        <source>Next step (Right or Space)</source>
        <translation>下一步（→ 或空格）</translation>
    </message>
    <message>
        <source>Last step (End)</source>
        <translation>最后一步（End）</translation>
    </message>
    <message>
        <source>Sentence:</source>
        <translation>句子：</translation>
    </message>
    <message>
        <source>The query row shown as a weighted sum of value rows.</source>
        <translation>以值向量行的加权和来展示的查询行。</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <source>Query row:</source>
        <translation>查询行：</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Q (queries)</source>
        <translation>Q（查询）</translation>
    </message>
    <message>
        <source>K (keys)</source>
        <translation>K（键）</translation>
    </message>
    <message>
        <source>V (values)</source>
        <translation>V（值）</translation>
    </message>
    <message>
        <source>Scores Q·Kᵀ</source>
        <translation>分数 Q·Kᵀ</translation>
    </message>
    <message>
        <source>score</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>Scaled scores Q·Kᵀ/√d_k</source>
        <translation>缩放后的分数 Q·Kᵀ/√d_k</translation>
    </message>
    <message>
        <source>softmax (masked)</source>
        <translation>softmax（带掩码）</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>Weighted sum of V rows</source>
        <translation>V 各行的加权和</translation>
    </message>
    <message>
        <source>Residual stream</source>
        <translation>残差流</translation>
    </message>
    <message>
        <source>dimension</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Run a sentence, then step.</source>
        <translation>先运行一个句子，再逐步查看。</translation>
    </message>
    <message>
        <source>Residual-stream norm per step</source>
        <translation>每一步的残差流范数</translation>
    </message>
    <message>
        <source>mean ‖x‖₂ per position</source>
        <translation>各位置 ‖x‖₂ 的平均值</translation>
    </message>
    <message>
        <source>forward step</source>
        <translation>前向步骤</translation>
    </message>
    <message>
        <source>residual norm</source>
        <translation>残差范数</translation>
    </message>
    <message>
        <source>Scores → softmax → weighted sum</source>
        <translation>分数 → softmax → 加权和</translation>
    </message>
    <message>
        <source>Q, K, V</source>
        <translation>Q、K、V</translation>
    </message>
    <message>
        <source>No model yet — train one (F5) or open a model directory.</source>
        <translation>尚无模型 — 请训练一个（F5）或打开模型目录。</translation>
    </message>
    <message>
        <source>Translation: %1</source>
        <translation>译文：%1</translation>
    </message>
    <message>
        <source>Cannot run the sentence: %1</source>
        <translation>无法运行该句子：%1</translation>
    </message>
    <message>
        <source>(empty sentence: nothing to step through)</source>
        <translation>（句子为空：没有可逐步查看的内容）</translation>
    </message>
    <message>
        <source>No step</source>
        <translation>没有步骤</translation>
    </message>
    <message>
        <source>Step %1 / %2: %3 — mean residual norm %4</source>
        <translation>第 %1 / %2 步：%3 — 平均残差范数 %4</translation>
    </message>
    <message>
        <source>Residual stream after %1</source>
        <translation>%1之后的残差流</translation>
    </message>
    <message>
        <source>no attention</source>
        <translation>没有注意力</translation>
    </message>
    <message>
        <source>Steps without attention: the residual stream is what this step produced.</source>
        <translation>不含注意力的步骤：残差流就是这一步的输出。</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3</translation>
    </message>
    <message>
        <source>Not recorded: this attention has no query-key scores (synthesizer).</source>
        <translation>未记录：这种注意力没有查询-键分数（合成器）。</translation>
    </message>
    <message>
        <source>Q (%1 × d_k = %2)</source>
        <translation>Q（%1 × d_k = %2）</translation>
    </message>
    <message>
        <source>K (%1 × d_k = %2)</source>
        <translation>K（%1 × d_k = %2）</translation>
    </message>
    <message>
        <source>V (%1 × d_v = %2)</source>
        <translation>V（%1 × d_v = %2）</translation>
    </message>
    <message>
        <source>Scores Q·Kᵀ (before scaling)</source>
        <translation>分数 Q·Kᵀ（缩放前）</translation>
    </message>
    <message>
        <source>Scores (no scaling: ×1)</source>
        <translation>分数（不缩放：×1）</translation>
    </message>
    <message>
        <source>Scores × 1/√d_k = ×%1</source>
        <translation>分数 × 1/√d_k = ×%1</translation>
    </message>
    <message>
        <source>After softmax (masked keys → 0): %1</source>
        <translation>softmax 之后（被掩码的键 → 0）：%1</translation>
    </message>
    <message>
        <source>= Σ output</source>
        <translation>= Σ 输出</translation>
    </message>
    <message>
        <source>Query “%1”: rows p_j · V_j, bottom row their sum</source>
        <translation>查询“%1”：各行为 p_j · V_j，最下一行是它们的和</translation>
    </message>
    <message>
        <source>key × weight</source>
        <translation>键 × 权重</translation>
    </message>
    <message>
        <source>&lt;b&gt;Query “%1”&lt;/b&gt; (row %2): its probability row weights the value rows; the output is their sum.&lt;br&gt;Largest weights: %3.&lt;br&gt;Row sum %4.</source>
        <translation>&lt;b&gt;查询“%1”&lt;/b&gt;（第 %2 行）：它的概率行为各值向量行加权，输出是它们的和。&lt;br&gt;最大的权重：%3。&lt;br&gt;行和 %4。</translation>
    </message>
</context>
<context>
    <name>al::ui::SynthesizerPanel</name>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <source>Synthesized scores and the attention they produce</source>
        <translation>合成的分数及其产生的注意力</translation>
    </message>
    <message>
        <source>score (before softmax)</source>
        <translation>分数（softmax 之前）</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>Input-independent alignment R</source>
        <translation>与输入无关的对齐矩阵 R</translation>
    </message>
    <message>
        <source>score</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>key position</source>
        <translation>键位置</translation>
    </message>
    <message>
        <source>query position</source>
        <translation>查询位置</translation>
    </message>
    <message>
        <source>Mixture weights α</source>
        <translation>混合权重 α</translation>
    </message>
    <message>
        <source>α</source>
        <translation>α</translation>
    </message>
    <message>
        <source>α of this head now</source>
        <translation>此注意力头当前的 α</translation>
    </message>
    <message>
        <source>training step</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <source>α of this head over training</source>
        <translation>此注意力头的 α 在训练中的变化</translation>
    </message>
    <message>
        <source>Input-dependence probe</source>
        <translation>输入依赖性探查</translation>
    </message>
    <message>
        <source>Second sentence:</source>
        <translation>第二个句子：</translation>
    </message>
    <message>
        <source>Translated by the same snapshot as the main sentence; its synthesized scores are compared with the main sentence&apos;s.</source>
        <translation>由翻译主句子的同一个模型快照翻译；将它的合成分数与主句子的进行比较。</translation>
    </message>
    <message>
        <source>Model: &lt;b&gt;%1&lt;/b&gt; · step %2</source>
        <translation>模型：&lt;b&gt;%1&lt;/b&gt; · 第 %2 步</translation>
    </message>
    <message>
        <source>The Synthesizer view appears once a model translates the sentence. Choose a Synthesizer under Model settings → Attention and press Train.</source>
        <translation>模型翻译句子后将显示合成器视图。请在“模型设置 → 注意力”中选择一种合成器，然后按“训练”。</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;This model uses dot-product attention&lt;/b&gt; (softmax(QKᵀ/√d&lt;sub&gt;k&lt;/sub&gt;)): every weight comes from comparing a query with a key, so nothing is synthesized.&lt;/p&gt;&lt;p&gt;To see what a Synthesizer learns (Tay et al. 2021), stop training, choose one under &lt;i&gt;Model settings → Attention&lt;/i&gt; — Dense, Random, Fixed Random, Factorized, or a mixture such as Random + Dense — and press Train.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;此模型使用点积注意力&lt;/b&gt;（softmax(QKᵀ/√d&lt;sub&gt;k&lt;/sub&gt;)）：每个权重都来自查询与键的比较，因此没有任何合成的部分。&lt;/p&gt;&lt;p&gt;要查看合成器（Tay et al. 2021）学到了什么，请停止训练，在&lt;i&gt;模型设置 → 注意力&lt;/i&gt;中选择一种 — Dense、Random、Fixed Random、Factorized，或 Random + Dense 这样的混合 — 然后按“训练”。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Synthesized scores Σ αᵢSᵢ (without the dot-product part)</source>
        <translation>合成分数 Σ αᵢSᵢ（不含点积部分）</translation>
    </message>
    <message>
        <source>Synthesized scores (before softmax)</source>
        <translation>合成分数（softmax 之前）</translation>
    </message>
    <message>
        <source>Attention weights (after mask and softmax)</source>
        <translation>注意力权重（掩码和 softmax 之后）</translation>
    </message>
    <message>
        <source>R = R₁R₂ (%1 × %2)</source>
        <translation>R = R₁R₂（%1 × %2）</translation>
    </message>
    <message>
        <source>R (%1 × %2)</source>
        <translation>R（%1 × %2）</translation>
    </message>
    <message numerus="yes">
        <source>The same matrix for every input. This sentence (%n token(s)) uses only the outlined top-left block.</source>
        <translation>
            <numerusform>每个输入都使用同一个矩阵。这个句子（%n 个词元）只用到框出的左上角区块。</numerusform>
        </translation>
    </message>
    <message>
        <source>Fixed Random: R keeps its random initial values (never trained).</source>
        <translation>Fixed Random：R 保持随机初始值（从不训练）。</translation>
    </message>
    <message>
        <source>Factorized: R is the product of two thin matrices (low rank).</source>
        <translation>Factorized：R 是两个窄矩阵的乘积（低秩）。</translation>
    </message>
    <message>
        <source>Main sentence</source>
        <translation>主句子</translation>
    </message>
    <message>
        <source>Second sentence</source>
        <translation>第二个句子</translation>
    </message>
    <message>
        <source>No synthesized scores to compare.</source>
        <translation>没有可比较的合成分数。</translation>
    </message>
    <message>
        <source>max |difference| over the common top-left %1 × %2 block: &lt;b&gt;%3&lt;/b&gt; (step %4) — %5</source>
        <translation>公共左上角 %1 × %2 区块上的最大 |差值|：&lt;b&gt;%3&lt;/b&gt;（第 %4 步）— %5</translation>
    </message>
    <message>
        <source>identical: these scores do not depend on the input (Random).</source>
        <translation>完全相同：这些分数与输入无关（Random）。</translation>
    </message>
    <message>
        <source>the scores change with the input (Dense).</source>
        <translation>分数随输入而变化（Dense）。</translation>
    </message>
    <message>
        <source>Translating the second sentence…</source>
        <translation>正在翻译第二个句子…</translation>
    </message>
    <message>
        <source>Waiting for both sentences to run on the same snapshot…</source>
        <translation>正在等待两个句子在同一个模型快照上运行…</translation>
    </message>
</context>
<context>
    <name>al::ui::SynthesizerViewModel</name>
    <message>
        <source>Dot-product (vanilla)</source>
        <translation>点积（原版）</translation>
    </message>
    <message>
        <source>Dense Synthesizer</source>
        <translation>Dense 合成器</translation>
    </message>
    <message>
        <source>Random Synthesizer</source>
        <translation>Random 合成器</translation>
    </message>
    <message>
        <source>Fixed Random Synthesizer</source>
        <translation>Fixed Random 合成器</translation>
    </message>
    <message>
        <source>Factorized Dense Synthesizer</source>
        <translation>Factorized Dense 合成器</translation>
    </message>
    <message>
        <source>Factorized Random Synthesizer</source>
        <translation>Factorized Random 合成器</translation>
    </message>
    <message>
        <source>Mixture: %1 + %2</source>
        <translation>混合：%1 + %2</translation>
    </message>
    <message>
        <source>Vanilla</source>
        <translation>原版</translation>
    </message>
    <message>
        <source>Dense</source>
        <translation>Dense</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Random</translation>
    </message>
    <message>
        <source>Fixed Random</source>
        <translation>Fixed Random</translation>
    </message>
    <message>
        <source>Factorized Dense</source>
        <translation>Factorized Dense</translation>
    </message>
    <message>
        <source>Factorized Random</source>
        <translation>Factorized Random</translation>
    </message>
</context>
<context>
    <name>al::ui::TaskProbeModel</name>
    <message>
        <source>Open a task model directory first.</source>
        <translation>请先打开一个任务模型目录。</translation>
    </message>
    <message>
        <source>Type a sentence first.</source>
        <translation>请先输入一个句子。</translation>
    </message>
</context>
<context>
    <name>al::ui::TaskProbeWindow</name>
    <message>
        <source>Task model probe</source>
        <translation>任务模型探查</translation>
    </message>
    <message>
        <source>&amp;Open task model…</source>
        <translation>打开任务模型(&amp;O)…</translation>
    </message>
    <message>
        <source>No model: open a directory written by `attention-lab train --task …`.</source>
        <translation>没有模型：请打开由 `attention-lab train --task …` 写出的目录。</translation>
    </message>
    <message>
        <source>Sentence ([MASK] for masked positions, &quot; ||| &quot; before sentence B)</source>
        <translation>句子（用 [MASK] 表示被掩码的位置，句子 B 前加 &quot; ||| &quot;）</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Top k:</source>
        <translation>Top k：</translation>
    </message>
    <message>
        <source>Masked position:</source>
        <translation>掩码位置：</translation>
    </message>
    <message>
        <source>0 = greedy (always the most probable character)</source>
        <translation>0 = 贪心（总是取概率最高的字符）</translation>
    </message>
    <message>
        <source>Length:</source>
        <translation>长度：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Open task model directory</source>
        <translation>打开任务模型目录</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>%1 — task %2, %3 layers, d_model %4, vocabulary %5</source>
        <translation>%1 — 任务 %2，%3 层，d_model %4，词表 %5</translation>
    </message>
    <message>
        <source>[MASK] %1 of %2 — best: %3</source>
        <translation>第 %1 个 [MASK]（共 %2 个）— 最佳：%3</translation>
    </message>
    <message>
        <source>P(label | &quot;%1&quot;)</source>
        <translation>P(标签 | &quot;%1&quot;)</translation>
    </message>
    <message>
        <source>Fillers of [MASK] %1: top %2 of the vocabulary</source>
        <translation>第 %1 个 [MASK] 的填充词：词表中概率最高的 %2 个</translation>
    </message>
</context>
<context>
    <name>al::ui::TimelinePanel</name>
    <message>
        <source>agreement: diagonal</source>
        <translation>吻合度：对角线</translation>
    </message>
    <message>
        <source>agreement: previous token</source>
        <translation>吻合度：前一个词元</translation>
    </message>
    <message>
        <source>agreement: first token</source>
        <translation>吻合度：第一个词元</translation>
    </message>
    <message>
        <source>agreement: reference alignment</source>
        <translation>吻合度：参考对齐</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>头：</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Train a model: its attention over training appears here.</source>
        <translation>训练一个模型：它在训练过程中的注意力会显示在这里。</translation>
    </message>
    <message>
        <source>No training timeline yet: press Train (the lab records the probe sentences&apos; attention at steps dense early and sparse late), or open a model saved with one.</source>
        <translation>还没有训练时间线：按“训练”（实验室会在训练早期密集、后期稀疏的步数上记录探针句子的注意力），或打开一个带时间线保存的模型。</translation>
    </message>
    <message>
        <source>step %1 (%2 of %3)</source>
        <translation>第 %1 步（第 %2 / %3 个记录）</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3</source>
        <translation>%1 · 第 %2 层 · 头 %3</translation>
    </message>
    <message>
        <source>change in attention weight</source>
        <translation>注意力权重的变化</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>%1 · step %2</source>
        <translation>%1 · 第 %2 步</translation>
    </message>
    <message>
        <source>Training loss at this step: %1.</source>
        <translation>这一步的训练损失：%1。</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>head entropy (nats)</source>
        <translation>该头的熵（奈特）</translation>
    </message>
    <message>
        <source>training step</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <source>loss, entropy (nats)</source>
        <translation>损失、熵（奈特）</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>不对比</translation>
    </message>
    <message>
        <source>an earlier recorded step</source>
        <translation>较早记录的步</translation>
    </message>
    <message>
        <source>another model</source>
        <translation>另一个模型</translation>
    </message>
    <message>
        <source>Choose a model…</source>
        <translation>选择模型…</translation>
    </message>
    <message>
        <source>Reading the timeline of %1…</source>
        <translation>正在读取 %1 的训练时间线…</translation>
    </message>
    <message>
        <source>Demo: %1</source>
        <translation>演示：%1</translation>
    </message>
    <message>
        <source>Model directory…</source>
        <translation>模型目录…</translation>
    </message>
    <message>
        <source>Compare with the timeline of a model directory</source>
        <translation>与某个模型目录的训练时间线对比</translation>
    </message>
    <message>
        <source>step %1 minus step %2</source>
        <translation>第 %1 步减去第 %2 步</translation>
    </message>
    <message>
        <source>Choose a model with a training timeline to compare with.</source>
        <translation>请选择一个带训练时间线的模型进行对比。</translation>
    </message>
    <message>
        <source>%1 · layer %2 · head %3 · step %4</source>
        <translation>%1 · 第 %2 层 · 注意力头 %3 · 第 %4 步</translation>
    </message>
    <message>
        <source>difference in attention weight</source>
        <translation>注意力权重之差</translation>
    </message>
    <message>
        <source>this model minus %1</source>
        <translation>本模型减去 %1</translation>
    </message>
    <message>
        <source>pattern agreement</source>
        <translation>模式吻合度</translation>
    </message>
    <message>
        <source>Agreement: the share of the head&apos;s attention that falls on the pattern&apos;s positions (1 = all of it). Entropy: how spread the head&apos;s attention is.</source>
        <translation>吻合度：该头的注意力落在模式位置上的比例（1 = 全部落在那里）。熵：该头的注意力有多分散。</translation>
    </message>
</context>
<context>
    <name>al::ui::TrainQuestion</name>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Continue training the open model?</source>
        <translation>继续训练当前打开的模型吗？</translation>
    </message>
    <message>
        <source>Continue training goes on from the open model&apos;s weights and step count. Start from scratch trains a new model with the same settings.</source>
        <translation>“继续训练”从打开的模型的权重和步数接着训练。“从头开始”用相同的设置训练一个新模型。</translation>
    </message>
    <message>
        <source>Continue training</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <source>Start from scratch</source>
        <translation>从头开始</translation>
    </message>
</context>
<context>
    <name>al::ui::TrainingPlotsPanel</name>
    <message>
        <source>Smoothing weight w of the training loss: s = w·s + (1 − w)·loss.</source>
        <translation>训练损失的平滑权重 w：s = w·s + (1 − w)·损失。</translation>
    </message>
    <message>
        <source>log loss</source>
        <translation>对数坐标损失</translation>
    </message>
    <message>
        <source>log gradient norm</source>
        <translation>对数坐标梯度范数</translation>
    </message>
    <message>
        <source>log tokens/s</source>
        <translation>对数坐标词元/秒</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>Training loss (smoothed)</source>
        <translation>训练损失（平滑后）</translation>
    </message>
    <message>
        <source>loss (nats/token)</source>
        <translation>损失（奈特/词元）</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>train (EMA)</source>
        <translation>训练（指数滑动平均）</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>validation metric</source>
        <translation>验证指标</translation>
    </message>
    <message>
        <source>Gradient norm (before clipping)</source>
        <translation>梯度范数（裁剪前）</translation>
    </message>
    <message>
        <source>‖g‖₂</source>
        <translation>‖g‖₂</translation>
    </message>
    <message>
        <source>gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>target tokens / s</source>
        <translation>目标词元 / 秒</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>Attention entropy per head (probe sentence)</source>
        <translation>各注意力头的注意力熵（探查句子）</translation>
    </message>
    <message>
        <source>mean row entropy (nats)</source>
        <translation>平均行熵（奈特）</translation>
    </message>
    <message>
        <source>Fixed probe sentence; changing it restarts the entropy curves.</source>
        <translation>固定的探查句子；修改它会重新开始熵曲线。</translation>
    </message>
    <message>
        <source>Probe:</source>
        <translation>探查句子：</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>valid %1</source>
        <translation>验证%1</translation>
    </message>
    <message>
        <source>%1 (%)</source>
        <translation>%1（%）</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>注意力头 %1</translation>
    </message>
</context>
<context>
    <name>al::ui::TrainingSession</name>
    <message>
        <source>%1 task, %2 symbols, lengths %3 to %4</source>
        <translation>%1 任务，%2 个符号，长度 %3 到 %4</translation>
    </message>
    <message>
        <source>d_model (%1) must be divisible by the number of heads (%2)</source>
        <translation>d_model（%1）必须能被注意力头数（%2）整除</translation>
    </message>
    <message>
        <source>data: task %1 needs a data path (%2)</source>
        <translation>数据：任务 %1 需要一个数据路径（%2）</translation>
    </message>
    <message>
        <source>data: &apos;%1&apos; does not exist</source>
        <translation>数据：“%1”不存在</translation>
    </message>
    <message>
        <source>(write [MASK] in the sentence to see its fillers)</source>
        <translation>（在句子中写入 [MASK] 可查看它的填充词）</translation>
    </message>
    <message>
        <source>Training %1: %2; vocabulary %3</source>
        <translation>训练 %1：%2；词表 %3</translation>
    </message>
    <message numerus="yes">
        <source>, %n label(s)</source>
        <translation>
            <numerusform>，%n 个标签</numerusform>
        </translation>
    </message>
    <message>
        <source>; %1 parameters.</source>
        <translation>；%1 个参数。</translation>
    </message>
    <message numerus="yes">
        <source>%n malformed line(s) skipped.</source>
        <translation>
            <numerusform>跳过了 %n 行格式错误的数据。</numerusform>
        </translation>
    </message>
    <message>
        <source>Training on %1 pairs (validation %2, test %3); vocabularies %4 / %5; %6 parameters.</source>
        <translation>在 %1 个句对上训练（验证 %2，测试 %3）；词表 %4 / %5；%6 个参数。</translation>
    </message>
    <message>
        <source>Training %1 (%2) on %3 generated pairs (validation %4, test %5, held out); vocabularies %6 / %7; %8 parameters.</source>
        <translation>训练 %1（%2），使用 %3 个生成的样本对（留出验证 %4、测试 %5）；词表 %6 / %7；%8 个参数。</translation>
    </message>
    <message>
        <source>Synthesizer: %1 parameters.</source>
        <translation>合成器：%1 个参数。</translation>
    </message>
</context>
<context>
    <name>al::ui::TrainingWorker</name>
    <message>
        <source>There is no model to save yet.</source>
        <translation>还没有可保存的模型。</translation>
    </message>
</context>
</TS>
