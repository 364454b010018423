-- 009_streams_more.sql: what 007_streams.sql left out. A run by hand with
-- another configuration (`llmwatch probe --config OTHER.yaml`) probes the
-- models of that file; those the database does not know are recorded,
-- disabled, with source 'adhoc', so their probes have a model to point at
-- while nothing the instance monitors changes. A later sync of a
-- configuration that names one of them makes it an ordinary config model.

ALTER TABLE models DROP CONSTRAINT models_source_check;
ALTER TABLE models ADD CONSTRAINT models_source_check
    CHECK (source IN ('config', 'ui', 'api', 'adhoc'));
