using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests.Support;

/// <summary>A test that needs a PostgreSQL server. Where the binaries are missing it is skipped with the reason, shown
/// in the test report; under CI (CI or PIPELINEOPS_REQUIRE_POSTGRES set, as .ci/run does) it runs and fails.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Unavailable is { } reason && !PostgresServer.Required)
        {
            Skip = reason + "; under CI this test fails instead.";
        }
    }
}

/// <summary>One PostgreSQL server for the tests of a class, started on first use and stopped at the end.</summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly Lazy<PostgresServer> _server = new(() => PostgresServer.Start());

    public PostgresServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}
