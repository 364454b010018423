<?cs def:content() ?>
<div class="page-head"><h1>Budgets</h1></div>
<p class="lead">Spending is counted from probe costs and reported production usage, in UTC periods.</p>
<section class="card">
  <?cs if:!subcount(Budgets) ?>
  <?cs call:empty("No budgets yet. Each budget will be listed here with what has been spent in its current period; budgets cannot be set up yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Name</th><th>Scope</th><th>Period</th><th class="num">Budget</th><th class="num">Spent</th><th>Used</th><th>Alerts at</th></tr></thead>
    <tbody>
    <?cs each:b = Budgets ?>
      <tr<?cs if:b.used_pct >= 100 ?> class="row-crit"<?cs /if ?>>
        <td><?cs var:b.name ?></td>
        <td><?cs var:b.model ?> &middot; <?cs var:b.environment ?></td>
        <td><?cs var:b.period ?> <span class="small muted">since <?cs var:b.since ?></span></td>
        <td class="num">$<?cs var:b.amount ?></td>
        <td class="num">$<?cs var:b.spent ?></td>
        <td class="nowrap"><meter min="0" max="100" low="80" high="99.9" optimum="0" value="<?cs var:b.used_pct ?>"><?cs var:b.used_pct ?>%</meter> <?cs var:b.used_pct ?>%</td>
        <td><?cs var:b.thresholds ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
