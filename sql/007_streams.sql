-- 007_streams.sql: what a stream reveals beyond its latency (issues of
-- real provider streams and of measurement edge cases): the outcome of an
-- answer (text, tool call, refusal, blocked prompt), the finish reason as
-- the provider said it and normalised, the answer itself (bounded, with
-- retention), the time to the first output of any kind (reasoning
-- included) beside the time to the first answer token (ttft_ms), reasoning
-- tokens, the phases of the connection, the longest silence inside the
-- stream, how the stream ended, and the model version the provider
-- reported. Ad-hoc runs are told apart from the scheduled ones.

ALTER TABLE probes
    -- for a probe that answered (ok): what the answer was. A failed probe
    -- has NULL here and its class in error_class; an ok probe written
    -- before this migration has NULL too and answered with text (readers
    -- use coalesce(outcome, 'text') for ok rows: no rewrite of history).
    --   text      answer text
    --   tool_call the model called a tool (a tool call is output)
    --   refusal   the model declined (OpenAI delta.refusal, Anthropic
    --             stop_reason refusal): the endpoint is up, the answer is no
    --   blocked   the provider blocked the prompt before any candidate
    --             (Gemini promptFeedback.blockReason)
    ADD COLUMN outcome text CHECK (outcome IN ('text', 'tool_call', 'refusal', 'blocked')),
    -- normalised: stop, length, tool_calls, content_filter, refusal,
    -- safety, other; NULL when the stream gave none
    ADD COLUMN finish_reason text,
    -- the provider's own value: "end_turn", "MAX_TOKENS", "tool_calls"...
    ADD COLUMN finish_reason_raw text,
    -- Gemini's blockReason (SAFETY, PROHIBITED_CONTENT...) of a blocked prompt
    ADD COLUMN block_reason text,
    -- the answer (text, the tool call as JSON, or the refusal), at most
    -- 4 KiB on a UTF-8 boundary; `maintain` clears it past
    -- settings.answer_retention_days (default 14)
    ADD COLUMN answer text,
    -- from the request's last byte to the first generated output of any
    -- kind, reasoning included (OpenTelemetry time_to_first_chunk);
    -- ttft_ms stays the time to the first ANSWER token
    ADD COLUMN first_output_ms double precision,
    ADD COLUMN reasoning_tokens integer,
    -- phases of the request, from the probe's start (curl's clocks):
    -- connect done, TLS done, first response header byte
    ADD COLUMN connect_ms double precision,
    ADD COLUMN tls_ms double precision,
    ADD COLUMN headers_ms double precision,
    -- the longest silence between two output chunks (a stall), ms
    ADD COLUMN max_gap_ms double precision,
    -- how the stream ended:
    --   clean          the protocol's end marker
    --   no_done        a clean finish reason without OpenAI's [DONE]
    --   no_terminator  a complete last event without its blank line
    --   truncated      cut: no end marker and no finish reason
    ADD COLUMN stream_end text CHECK (stream_end IN ('clean', 'no_done', 'no_terminator', 'truncated')),
    -- what the provider said answered: response "model" (OpenAI,
    -- Anthropic), "modelVersion" (Gemini), and OpenAI's system_fingerprint
    ADD COLUMN model_version text,
    ADD COLUMN system_fingerprint text;

-- A run by hand (`llmwatch probe --config OTHER.yaml`, a baseline of
-- another file) is recorded as such and never changes what the running
-- instance monitors.
ALTER TABLE probe_cycles ADD COLUMN adhoc boolean NOT NULL DEFAULT false;

-- Model version changes seen by the probes, one row per change: the
-- evidence of a silent model change and what the `version_changes` measure
-- of rules counts.
CREATE TABLE model_versions (
    id                  bigserial PRIMARY KEY,
    model_id            integer NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    environment_id      integer NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    model_version       text,
    system_fingerprint  text,
    first_seen          timestamptz NOT NULL,
    last_seen           timestamptz NOT NULL,
    probes              bigint NOT NULL DEFAULT 1
);
CREATE INDEX model_versions_model ON model_versions (model_id, environment_id, first_seen DESC);
