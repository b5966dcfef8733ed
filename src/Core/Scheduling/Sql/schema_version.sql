-- Which version of each PipelineOps schema this database holds.
CREATE TABLE IF NOT EXISTS pipelineops_schema (
    component  VARCHAR(50) NOT NULL PRIMARY KEY,
    version    INTEGER     NOT NULL
);
