namespace PipelineOps.Scheduling;

public enum SchedulerStoreKind
{
    Sqlite,
    Memory,
    PostgreSql,
}

/// <summary>Where the schedule and its history live: one SQLite file (the default), the process's memory, or a
/// PostgreSQL database shared by a cluster of schedulers.</summary>
public sealed record SchedulerStoreOptions
{
    public SchedulerStoreKind Kind { get; init; } = SchedulerStoreKind.Sqlite;

    /// <summary>The SQLite file.</summary>
    public string? Path { get; init; }

    /// <summary>The PostgreSQL connection string.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>How long history is kept: runs that ended longer ago are deleted as new ones are written.</summary>
    public TimeSpan HistoryRetention { get; init; } = TimeSpan.FromDays(30);

    public static SchedulerStoreOptions Memory() => new() { Kind = SchedulerStoreKind.Memory };

    public static SchedulerStoreOptions Sqlite(string path) => new() { Kind = SchedulerStoreKind.Sqlite, Path = System.IO.Path.GetFullPath(path) };

    public static SchedulerStoreOptions PostgreSql(string connectionString) => new() { Kind = SchedulerStoreKind.PostgreSql, ConnectionString = connectionString };

    /// <summary>The state folder: $PIPELINEOPS_HOME, else the platform's per-user data folder
    /// (~/.local/share/PipelineOps on Linux, %LOCALAPPDATA%\PipelineOps on Windows).</summary>
    public static string DefaultStateFolder()
    {
        var home = Environment.GetEnvironmentVariable("PIPELINEOPS_HOME");
        if (!string.IsNullOrWhiteSpace(home))
        {
            return System.IO.Path.GetFullPath(home);
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
        {
            data = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return System.IO.Path.Combine(data, "PipelineOps");
    }

    /// <summary>The default store: scheduler.db in the state folder.</summary>
    public static SchedulerStoreOptions Default() => Sqlite(System.IO.Path.Combine(DefaultStateFolder(), "scheduler.db"));

    /// <summary>Identifies the store (a file path, "memory", or the database without its password).</summary>
    public string Key => Kind switch
    {
        SchedulerStoreKind.Memory => "memory",
        SchedulerStoreKind.Sqlite => "sqlite:" + Path,
        _ => "postgresql:" + Describe(ConnectionString),
    };

    public override string ToString() => Key;

    private static string Describe(string? connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
        builder.Remove("Password");
        builder.Remove("Pwd");
        return builder.ConnectionString;
    }
}
