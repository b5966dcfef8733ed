using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>Start-Collector's feed parameters as typed in a session: TLS trust, headers, certificate checks.</summary>
public sealed class CollectorFeedCmdletTests : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "collector-feed-" + Guid.NewGuid().ToString("N"));

    public CollectorFeedCmdletTests() => Directory.CreateDirectory(_dir);

    /// <summary>Starts a collector with these parameters, waits (up to 30 s) until the condition holds, stops it.</summary>
    // Retries at most a second apart: a connection attempt that fails while the machine is busy (a full test run) must
    // not push the next one past the 30 s wait; the default backoff reaches 16 s by the sixth attempt.
    private PowerShellResult Collect(string parameters, string until, params (string Name, object? Value)[] variables) => _ps.Run($$"""
        $c = Start-Collector {{parameters}} -FlushInterval 100ms -MaxBackoff 1s
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ([datetime]::UtcNow -lt $deadline -and -not ({{until}})) { [System.Threading.Thread]::Sleep(50) }
        $null = Stop-Collector -Id $c.Id
        """, variables);

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The collected file in $d has at least this many lines (the session has only the engine's core commands).</summary>
    private static string Lines(int count) =>
        $"[System.IO.Directory]::Exists($d) -and [System.IO.Directory]::GetFiles($d, 'feed_*.jsonl').Length -eq 1 -and [System.IO.File]::ReadAllLines([System.IO.Directory]::GetFiles($d, 'feed_*.jsonl')[0]).Length -ge {count}";

    [Fact]
    public async Task A_private_ca_is_trusted_from_a_file_and_without_it_the_warning_names_the_certificate_problem()
    {
        using var ca = TestCertificates.CreateCa();
        using var server = TestCertificates.CreateServer(ca);
        await using var feed = await WebSocketFeed.StartAsync(server);
        feed.Total = 20;
        var caFile = TestCertificates.WritePem(ca, Path.Combine(_dir, "ca.pem"));

        await using var proxy = new ByteCountingProxy(feed.Uri); // counts the attempts, which never reach the feed
        var refused = Collect("-Uri $u -Directory $d -Stream feed", "$proxy.Connections -ge 2",
            ("u", proxy.Relay(feed.Uri)), ("d", Path.Combine(_dir, "refused")), ("proxy", proxy));
        var trusted = Collect("-Uri $u -TrustedCertificatePath $ca -Headers @{ 'X-Api-Key' = 'k1' } -Directory $d -Stream feed",
            Lines(20), ("u", feed.Uri), ("ca", caFile), ("d", Path.Combine(_dir, "trusted")));

        Assert.Contains(refused.Warnings, w => w.Message.Contains("TLS with 127.0.0.1 failed", StringComparison.Ordinal)
            && w.Message.Contains("is not trusted", StringComparison.Ordinal));
        Assert.Empty(trusted.Errors);
        Assert.Equal(20, File.ReadAllLines(Directory.GetFiles(Path.Combine(_dir, "trusted"), "feed_*.jsonl").Single()).Length);
        Assert.Equal("k1", feed.Headers.Single()["X-Api-Key"]);
    }

    [Fact]
    public async Task A_dropped_connection_warns_with_its_cause_the_next_delay_and_the_attempt_and_a_background_collector_shows_it_without_a_stop()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        (feed.DropAfter, feed.Burst, feed.Pause) = (5, 1, TimeSpan.FromMilliseconds(20)); // connected, then dropped

        // Get-Collector while the collector still runs: the warnings surface there, not only at Stop-Collector.
        var result = _ps.Run("""
            $c = Start-Collector -Uri $u -Directory $d -Stream feed -FlushInterval 100ms -MaxBackoff 1s
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ([datetime]::UtcNow -lt $deadline -and $feed.Connections -lt 3) { [System.Threading.Thread]::Sleep(50) }
            $null = Get-Collector -Id $c.Id
            Remove-Collector -Id $c.Id -Force -WarningAction SilentlyContinue
            """, ("u", feed.Uri), ("d", _dir), ("feed", feed));

        Assert.Contains(result.Warnings, w => System.Text.RegularExpressions.Regex.IsMatch(w.Message,
            $@"^Collector \d+: connection to {System.Text.RegularExpressions.Regex.Escape(feed.Uri.ToString())} lost: .+; reconnecting in [\d.]+ s \(attempt 1\)$"));
    }

    [Fact]
    public async Task SkipCertificateCheck_connects_with_a_warning()
    {
        using var ca = TestCertificates.CreateCa();
        using var server = TestCertificates.CreateServer(ca);
        await using var feed = await WebSocketFeed.StartAsync(server);
        feed.Total = 5;

        var result = Collect("-Uri $u -SkipCertificateCheck -Directory $d -Stream feed", Lines(5),
            ("u", feed.Uri), ("d", _dir));

        Assert.Contains(result.Warnings, w => w.Message.Contains("-SkipCertificateCheck", StringComparison.Ordinal));
        Assert.Equal(5, File.ReadAllLines(Directory.GetFiles(_dir, "feed_*.jsonl").Single()).Length);
    }

    [Fact]
    public void A_trusted_certificate_file_that_is_not_a_certificate_is_refused_by_name()
    {
        var notCertificate = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(notCertificate, "hello");

        var result = _ps.Run("Start-Collector -Uri wss://127.0.0.1:9/feed -TrustedCertificatePath $f -Directory $d", ("f", notCertificate), ("d", Path.Combine(_dir, "out")));
        var missing = _ps.Run("Start-Collector -Uri wss://127.0.0.1:9/feed -TrustedCertificatePath $f -Directory $d", ("f", notCertificate + ".missing"), ("d", Path.Combine(_dir, "out")));

        Assert.StartsWith("TrustedCertificateInvalid,", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("TrustedCertificateUnreadable,", Assert.Single(missing.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
    }
}
