-- The console's signing key for session, CSRF and login cookies, when CONSOLE_SECRET is not set:
-- random, made by the first process to start, shared by every process, kept across restarts.
CREATE TABLE console_secrets (
  id         smallint PRIMARY KEY CHECK (id = 1),
  secret     bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
