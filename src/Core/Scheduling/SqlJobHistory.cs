using System.Data.Common;
using System.Text.Json;

namespace PipelineOps.Scheduling;

/// <summary>History in the store's database (SQLite or PostgreSQL): one table beside Quartz's, created on first use
/// and versioned in pipelineops_schema.</summary>
internal sealed class SqlJobHistory : IJobHistory
{
    internal const int SchemaVersion = 1;

    private readonly DbProviderFactory _factory;
    private readonly string _connectionString;

    public SqlJobHistory(DbProviderFactory factory, string connectionString)
    {
        _factory = factory;
        _connectionString = connectionString;
    }

    /// <summary>Creates the history table (and the version table) if missing, and records the version. A database
    /// from a newer PipelineOps is refused rather than written in a shape it does not expect.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One transaction, so nodes of a cluster starting together do not race to create the same tables (PostgreSQL's
        // CREATE TABLE IF NOT EXISTS is not safe against a concurrent one): PostgreSQL takes an advisory lock held to
        // its end, SQLite's transaction is already exclusive. DDL is transactional in both.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (_factory is Npgsql.NpgsqlFactory)
        {
            await using var lockSchema = connection.CreateCommand();
            lockSchema.Transaction = transaction;
            lockSchema.CommandText = "SELECT pg_advisory_xact_lock(7080151800)";
            await lockSchema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteScriptAsync(connection, transaction, "schema_version.sql", cancellationToken).ConfigureAwait(false);
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT version FROM pipelineops_schema WHERE component = 'history'";
            var found = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            var version = found is null or DBNull ? 0 : Convert.ToInt32(found, System.Globalization.CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The scheduler store holds job history schema version {version}, newer than this PipelineOps knows ({SchemaVersion}). Update PipelineOps.");
            }

            if (version == SchemaVersion)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        // Version 0 (nothing yet) to 1: create. Later versions add their steps here.
        await ExecuteScriptAsync(connection, transaction, "history_v1.sql", cancellationToken).ConfigureAwait(false);
        await using var record = connection.CreateCommand();
        record.Transaction = transaction;
        record.CommandText = "INSERT INTO pipelineops_schema (component, version) VALUES ('history', @v) ON CONFLICT (component) DO UPDATE SET version = excluded.version";
        Add(record, "@v", SchemaVersion);
        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(JobRun run, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO pipelineops_job_history (id, job, status, trigger_kind, scheduled_ms, start_ms, end_ms, node, output, errors, warnings, items)
            VALUES (@id, @job, @status, @trigger, @scheduled, @start, @end, @node, @output, @errors, @warnings, @items)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_ms = excluded.end_ms, output = excluded.output,
                errors = excluded.errors, warnings = excluded.warnings, items = excluded.items
            """;
        Add(command, "@id", run.Id);
        Add(command, "@job", run.Job);
        Add(command, "@status", run.Status.ToString());
        Add(command, "@trigger", run.Trigger);
        Add(command, "@scheduled", run.ScheduledStart?.ToUnixTimeMilliseconds());
        Add(command, "@start", run.Start?.ToUnixTimeMilliseconds());
        Add(command, "@end", run.End?.ToUnixTimeMilliseconds());
        Add(command, "@node", run.Node);
        Add(command, "@output", run.Output);
        Add(command, "@errors", run.Errors.Count == 0 ? null : JsonSerializer.Serialize(run.Errors));
        Add(command, "@warnings", run.Warnings.Count == 0 ? null : JsonSerializer.Serialize(run.Warnings));
        Add(command, "@items", run.Items);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobRun>> ReadAsync(JobRunQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.Job is { } job)
        {
            where.Add("job = @job");
            Add(command, "@job", job);
        }

        if (query.Since is { } since)
        {
            where.Add("COALESCE(start_ms, scheduled_ms) >= @since");
            Add(command, "@since", since.ToUnixTimeMilliseconds());
        }

        if (query.Status is { } status)
        {
            where.Add("status = @status");
            Add(command, "@status", status.ToString());
        }

        command.CommandText = "SELECT id, job, status, trigger_kind, scheduled_ms, start_ms, end_ms, node, output, errors, warnings, items FROM pipelineops_job_history"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY COALESCE(start_ms, scheduled_ms), id";
        var runs = new List<JobRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(new JobRun
            {
                Id = reader.GetString(0),
                Job = reader.GetString(1),
                Status = Enum.Parse<JobRunStatus>(reader.GetString(2)),
                Trigger = reader.GetString(3),
                ScheduledStart = Time(reader, 4),
                Start = Time(reader, 5),
                End = Time(reader, 6),
                Node = reader.IsDBNull(7) ? null : reader.GetString(7),
                Output = reader.IsDBNull(8) ? null : reader.GetString(8),
                Errors = reader.IsDBNull(9) ? [] : JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [],
                Warnings = reader.IsDBNull(10) ? [] : JsonSerializer.Deserialize<string[]>(reader.GetString(10)) ?? [],
                Items = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            });
        }

        return runs;
    }

    public async Task<int> MarkAbandonedAsync(string? job, string? exceptNode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE pipelineops_job_history SET status = 'Interrupted', end_ms = @now, errors = @errors WHERE status = 'Running'"
            + (job is null ? "" : " AND job = @job")
            + (exceptNode is null ? "" : " AND (node IS NULL OR node <> @node)");
        Add(command, "@now", now.ToUnixTimeMilliseconds());
        Add(command, "@errors", JsonSerializer.Serialize(new[] { MemoryJobHistory.AbandonedMessage }));
        if (job is not null)
        {
            Add(command, "@job", job);
        }

        if (exceptNode is not null)
        {
            Add(command, "@node", exceptNode);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneAsync(DateTimeOffset before, string? job = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM pipelineops_job_history WHERE status <> 'Running' AND COALESCE(end_ms, start_ms, scheduled_ms) < @before"
            + (job is null ? "" : " AND job = @job");
        Add(command, "@before", before.ToUnixTimeMilliseconds());
        if (job is not null)
        {
            Add(command, "@job", job);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteJobAsync(string job, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM pipelineops_job_history WHERE job = @job";
        Add(command, "@job", job);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _factory.CreateConnection() ?? throw new InvalidOperationException("The database provider gave no connection.");
        connection.ConnectionString = _connectionString;
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task ExecuteScriptAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        foreach (var statement in SqlScripts.Statements(name))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
