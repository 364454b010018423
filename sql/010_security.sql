-- 010_security.sql: failed logins counted where every llmwatch-web
-- process and thread sees them, so that password guessing is slowed down
-- per client address and per account (lib/db/users.c has the policy:
-- free failures, then doubling delays up to a bound).

CREATE TABLE login_throttle (
    scope          text NOT NULL CHECK (scope IN ('address', 'account')),
    -- the client address (at most 64 characters), or the hex SHA-256 of
    -- the lower-cased email: any text typed into the form is a valid key
    key            text NOT NULL,
    failures       integer NOT NULL DEFAULT 0,
    last_at        timestamptz NOT NULL DEFAULT now(),
    -- no login is checked for this address or account before then
    blocked_until  timestamptz,
    PRIMARY KEY (scope, key)
);
-- rows a day old are dropped on the way (by the next failed login)
CREATE INDEX login_throttle_last ON login_throttle (last_at);
