-- PipelineOps job history, schema version 1. Times are Unix milliseconds (UTC) so SQLite and PostgreSQL
-- compare and sort them the same way. One row per run; a run writes its row when it starts (Running) and
-- updates it when it ends, so a process killed mid-run leaves a row the next start marks Interrupted.
CREATE TABLE IF NOT EXISTS pipelineops_job_history (
    id            VARCHAR(200) NOT NULL PRIMARY KEY,
    job           VARCHAR(200) NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    trigger_kind  VARCHAR(20)  NOT NULL,
    scheduled_ms  BIGINT,
    start_ms      BIGINT,
    end_ms        BIGINT,
    node          VARCHAR(200),
    output        TEXT,
    errors        TEXT,
    warnings      TEXT,
    items         BIGINT
);
CREATE INDEX IF NOT EXISTS ix_pipelineops_job_history_job ON pipelineops_job_history (job, start_ms);
CREATE INDEX IF NOT EXISTS ix_pipelineops_job_history_status ON pipelineops_job_history (status);
