using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary folder, postgres on 127.0.0.1 on
/// a free port (its unix socket in the same folder, trust authentication), one database, stopped and deleted on
/// Dispose. The binaries come from $PIPELINEOPS_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian's
/// postgresql package), else pg_config --bindir.
/// </summary>
/// <remarks>
/// initdb and postgres refuse to run as root, so under root (CI) both run as the "postgres" user the Debian package
/// creates (or "nobody" without it) through setpriv, and the folder is given to that user.
/// </remarks>
public sealed class PostgresServer : IDisposable
{
    /// <summary>Set by .ci/run: there, a missing server is a failure, not a skip.</summary>
    public const string RequiredVariable = "PIPELINEOPS_REQUIRE_POSTGRES";

    private readonly Process _server;
    private readonly string _root;
    private readonly string _bin;
    private readonly string? _user;
    private readonly System.Text.StringBuilder _log = new();

    private PostgresServer(string bin, bool durable)
    {
        _bin = bin;
        _user = Environment.IsPrivilegedProcess ? (UserExists("postgres") ? "postgres" : "nobody") : null;
        _root = Directory.CreateTempSubdirectory("pipelineops-pg-").FullName;
        if (_user is not null)
        {
            Run("chown", [_user, _root]);
        }

        var data = Path.Combine(_root, "data");
        RunAsServerUser(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        Port = FreePort();
        // fsync off for tests (they kill schedulers, not the database); on where a benchmark compares commit costs.
        _server = StartAsServerUser(Path.Combine(bin, "postgres"), ["-D", data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _root,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=" + (durable ? "on" : "off"), "-c", "max_connections=300", "-c", "shared_buffers=32MB"]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Ready())
        {
            if (_server.HasExited || DateTime.UtcNow > deadline)
            {
                var log = Log;
                Dispose();
                throw new InvalidOperationException("PostgreSQL did not start: " + log);
            }

            Thread.Sleep(100);
        }

        Run(Path.Combine(bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", Database]);
    }

    public int Port { get; }

    public string Database => "pipelineops";

    /// <summary>The Npgsql connection string for <see cref="Database"/>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database={Database};Username=postgres";

    /// <summary>Why the server cannot run here, or null when it can.</summary>
    public static string? Unavailable => FindBin() is null
        ? "PostgreSQL's binaries were not found (install the postgresql package, or set PIPELINEOPS_PG_BIN to its bin folder)"
        : null;

    /// <summary>True when a missing server must fail rather than skip: under CI (CI or PIPELINEOPS_REQUIRE_POSTGRES).</summary>
    public static bool Required =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RequiredVariable)) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Starts a server; throws (naming what is missing) when the binaries are absent. <paramref name="durable"/>
    /// keeps PostgreSQL's fsync on (commits reach the disk), as a production server has it.</summary>
    public static PostgresServer Start(bool durable = false) =>
        new(FindBin() ?? throw new InvalidOperationException(Unavailable + (Required ? " and this run requires it (" + RequiredVariable + " or CI is set)." : ".")), durable);

    /// <summary>Runs SQL through psql and returns its unaligned output (one row a line, fields separated by |).</summary>
    public string Query(string sql, string? database = null) =>
        Run(Path.Combine(_bin, "psql"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", database ?? Database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]).Trim();

    /// <summary>Creates another database on this server (one per test keeps tests apart) and returns its connection
    /// string.</summary>
    public string NewDatabase(string name)
    {
        Run(Path.Combine(_bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", name]);
        return $"Host=127.0.0.1;Port={Port};Database={name};Username=postgres";
    }

    /// <summary>The server's log so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>psql's path, for jobs that write to the database themselves.</summary>
    public string Psql => Path.Combine(_bin, "psql");

    public void Dispose()
    {
        if (_server is { HasExited: false })
        {
            // SIGINT: PostgreSQL's fast shutdown (disconnects clients, then exits).
            using (var kill = Process.Start("kill", ["-INT", _server.Id.ToString(CultureInfo.InvariantCulture)])!)
            {
                kill.WaitForExit();
            }

            if (!_server.WaitForExit(30_000))
            {
                _server.Kill(entireProcessTree: true);
            }
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool Ready()
    {
        using var probe = Process.Start(new ProcessStartInfo(Path.Combine(_bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static string? FindBin()
    {
        if (Environment.GetEnvironmentVariable("PIPELINEOPS_PG_BIN") is { Length: > 0 } given)
        {
            return File.Exists(Path.Combine(given, "initdb")) ? given : null;
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var newest = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")));
            if (newest is not null)
            {
                return newest;
            }
        }

        try
        {
            var bin = Run("pg_config", ["--bindir"]).Trim();
            return File.Exists(Path.Combine(bin, "initdb")) ? bin : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool UserExists(string name) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private ProcessStartInfo AsServerUser(string program, IEnumerable<string> arguments)
    {
        var info = _user is null ? new ProcessStartInfo(program) : new ProcessStartInfo("setpriv");
        if (_user is not null)
        {
            foreach (var a in new[] { "--reuid=" + _user, "--regid=" + _user, "--init-groups", "--", program })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.WorkingDirectory = _root;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return info;
    }

    private void RunAsServerUser(string program, IEnumerable<string> arguments) => Finish(Process.Start(AsServerUser(program, arguments))!, program);

    private Process StartAsServerUser(string program, IEnumerable<string> arguments)
    {
        var process = Process.Start(AsServerUser(program, arguments))!;
        // Drain both pipes so the server never blocks on a full one; the log is kept for failure messages.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string Run(string program, IEnumerable<string> arguments) =>
        Finish(Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!, program);

    private static string Finish(Process process, string program)
    {
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {stderr.Result}{stdout}");
            }

            return stdout;
        }
    }
}
