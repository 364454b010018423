<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:Page.title ?> &middot; llmwatch</title>
<?cs if:Page.refresh > 0 ?><meta http-equiv="refresh" content="<?cs var:Page.refresh ?>"><?cs /if ?>
<link rel="stylesheet" href="/static/llmwatch.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>llmwatch</a>
  <?cs if:User.email ?>
  <nav class="nav" aria-label="Sections">
    <a href="/"<?cs if:Page.section == "dashboard" ?> class="active" aria-current="page"<?cs /if ?>>Dashboard</a>
    <a href="/alerts"<?cs if:Page.section == "alerts" ?> class="active" aria-current="page"<?cs /if ?>>Alerts</a>
    <a href="/rules"<?cs if:Page.section == "rules" ?> class="active" aria-current="page"<?cs /if ?>>Rules</a>
    <a href="/silences"<?cs if:Page.section == "silences" ?> class="active" aria-current="page"<?cs /if ?>>Silences</a>
    <a href="/channels"<?cs if:Page.section == "channels" ?> class="active" aria-current="page"<?cs /if ?>>Channels</a>
    <a href="/budgets"<?cs if:Page.section == "budgets" ?> class="active" aria-current="page"<?cs /if ?>>Budgets</a>
    <?cs if:User.can_compliance ?>
    <a href="/sla"<?cs if:Page.section == "sla" ?> class="active" aria-current="page"<?cs /if ?>>SLA</a>
    <a href="/reports"<?cs if:Page.section == "reports" ?> class="active" aria-current="page"<?cs /if ?>>Reports</a>
    <a href="/admin/audit"<?cs if:Page.section == "audit" ?> class="active" aria-current="page"<?cs /if ?>>Audit</a>
    <?cs /if ?>
    <?cs if:User.can_admin ?>
    <a href="/admin/users"<?cs if:Page.section == "users" ?> class="active" aria-current="page"<?cs /if ?>>Users</a>
    <?cs /if ?>
  </nav>
  <div class="who">
    <a class="who-email" href="/account" title="Your account and sessions"><?cs var:User.email ?></a>
    <?cs call:pill("role", User.role) ?>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <button type="submit" class="btn btn-ghost">Log out</button>
    </form>
  </div>
  <?cs /if ?>
</header>
<main class="main">
<?cs if:Replica.lag ?><div class="flash flash-error" role="status">These figures come from a standby <?cs var:Replica.lag ?> behind the primary: the latest changes are not in them yet.</div><?cs /if ?><?cs if:Flash.message ?><div class="flash flash-<?cs if:Flash.kind == "error" ?>error<?cs else ?>ok<?cs /if ?>" role="status"><?cs var:Flash.message ?></div><?cs /if ?>
<?cs call:content() ?>
</main>
<footer class="footer">llmwatch &middot; times in UTC</footer>
</body>
</html>
