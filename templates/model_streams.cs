<?cs # model_streams.cs: the streams part of a model's page, rendered on its own (fragment_layout.cs) by app/page_model_streams.c into Streams.html, which model.cs shows ?><?cs def:content() ?>
<div class="grid-2" id="streams">
  <section class="card">
    <h2>Answers, <?cs var:Range.title ?></h2>
    <?cs if:Streams.Summary.probes > 0 ?>
    <dl class="stat-grid">
      <div><dt>First output p50</dt><dd><?cs call:dash(Streams.Summary.first_output_p50_ms_h) ?></dd></div>
      <div><dt>First answer token p50</dt><dd><?cs call:dash(Streams.Summary.ttft_p50_ms_h) ?></dd></div>
      <div><dt>Refusals</dt><dd><?cs if:?Streams.Summary.refusal_pct ?><?cs var:Streams.Summary.refusal_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
      <div><dt>Stalls (gap &ge; 2 s)</dt><dd><?cs if:?Streams.Summary.stall_pct ?><?cs var:Streams.Summary.stall_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
      <div><dt>Longest gap p95</dt><dd><?cs call:dash(Streams.Summary.max_gap_p95_ms_h) ?></dd></div>
      <div><dt>Reasoning tokens</dt><dd><?cs call:dash(Streams.Summary.reasoning_avg) ?></dd></div>
      <div><dt>Connect p50</dt><dd><?cs call:dash(Streams.Summary.connect_p50_ms_h) ?></dd></div>
      <div><dt>Headers p50</dt><dd><?cs call:dash(Streams.Summary.headers_p50_ms_h) ?></dd></div>
      <div><dt>Version changes</dt><dd><?cs var:Streams.Summary.version_changes ?></dd></div>
    </dl>
    <table class="table" id="stream-outcomes">
      <thead><tr><th>Outcome</th><th class="num">Probes</th></tr></thead>
      <tbody>
      <?cs each:o = Streams.Outcomes ?><tr><td><?cs call:pill(o.cls, o.name) ?></td><td class="num"><?cs var:o.n ?></td></tr><?cs /each ?>
      </tbody>
    </table>
    <p class="hint">First output counts reasoning; the first answer token is the first text, tool call or refusal after it.</p>
    <?cs else ?>
    <?cs call:empty("No probe in this range.") ?>
    <?cs /if ?>
  </section>
  <section class="card">
    <h2>Finish reasons and stream ends</h2>
    <?cs if:subcount(Streams.Finish) || subcount(Streams.Ends) ?>
    <table class="table" id="stream-finish">
      <thead><tr><th>Finish reason</th><th class="num">Answers</th></tr></thead>
      <tbody>
      <?cs each:f = Streams.Finish ?><tr><td><code><?cs var:f.name ?></code></td><td class="num"><?cs var:f.n ?></td></tr><?cs /each ?>
      </tbody>
    </table>
    <table class="table" id="stream-ends">
      <thead><tr><th>Stream end</th><th class="num">Streams</th></tr></thead>
      <tbody>
      <?cs each:e = Streams.Ends ?><tr><td><code><?cs var:e.name ?></code></td><td class="num"><?cs var:e.n ?></td></tr><?cs /each ?>
      </tbody>
    </table>
    <?cs else ?>
    <?cs call:empty("No stream in this range.") ?>
    <?cs /if ?>
  </section>
</div>
<div class="grid-2">
  <section class="card" id="stream-answers">
    <h2>Last answers</h2>
    <?cs if:!subcount(Streams.Answers) ?>
    <?cs call:empty("No answer in the last 24 hours.") ?>
    <?cs else ?>
    <div class="table-wrap">
    <table class="table">
      <thead><tr><th>Time</th><th>Case</th><th>Outcome</th><th>Finish</th><th>Answer</th></tr></thead>
      <tbody>
      <?cs each:a = Streams.Answers ?>
        <tr>
          <td class="nowrap"><?cs var:a.at ?></td>
          <td><?cs var:a.case_id ?></td>
          <td><?cs var:a.outcome ?><?cs if:a.block_reason ?> <span class="small muted">(<?cs var:a.block_reason ?>)</span><?cs /if ?></td>
          <td><?cs call:dash(a.finish_reason_raw) ?><?cs if:a.stream_end && a.stream_end != "clean" ?> <span class="small muted"><?cs var:a.stream_end ?></span><?cs /if ?></td>
          <td class="answer"><?cs call:dash(a.answer) ?></td>
        </tr>
      <?cs /each ?>
      </tbody>
    </table>
    </div>
    <?cs /if ?>
  </section>
  <section class="card" id="model-versions">
    <h2>Model versions</h2>
    <?cs if:!subcount(Streams.Versions) ?>
    <?cs call:empty("The provider has not named a version yet.") ?>
    <?cs else ?>
    <table class="table">
      <thead><tr><th>Version</th><th>Fingerprint</th><th>First seen</th><th>Last seen</th><th class="num">Probes</th></tr></thead>
      <tbody>
      <?cs each:v = Streams.Versions ?>
        <tr><td><code><?cs call:dash(v.model_version) ?></code></td><td><code><?cs call:dash(v.system_fingerprint) ?></code></td><td class="nowrap"><?cs var:v.first_seen ?></td><td class="nowrap"><?cs var:v.last_seen ?></td><td class="num"><?cs var:v.probes ?></td></tr>
      <?cs /each ?>
      </tbody>
    </table>
    <?cs /if ?>
  </section>
</div>
<?cs /def ?>
