using System.Management.Automation;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

public sealed class TestFileActiveTests : IDisposable
{
    private const string CommandType = "PipelineOps.Commands.TestFileActiveCommand";
    private readonly PowerShellSession _ps = new();
    private readonly SampleData _data = new();

    public void Dispose()
    {
        _ps.Dispose();
        _data.Dispose();
    }

    private static string[] Names(PowerShellResult result) =>
        result.Output.Select(o => Path.GetFileName((string)o.Properties["Path"].Value)).Order(StringComparer.Ordinal).ToArray();

    private static string ListOf(PSObject item, string property) =>
        string.Join(", ", ((System.Collections.IEnumerable)item.Properties[property].Value).Cast<object>());

    [Fact]
    public void FileInfo_objects_piped_in_give_the_files_that_are_safe_to_read()
    {
        var result = _ps.Run("[System.IO.DirectoryInfo]::new($dir).GetFiles() | Test-FileActive | Where-Object IsActive -eq $false",
            ("dir", _data.Root));

        Assert.Empty(result.Errors);
        Assert.Equal(SampleData.Complete, Names(result));
    }

    [Fact]
    public void Provider_items_as_Get_ChildItem_emits_them_bind_by_PSPath()
    {
        // $ExecutionContext.InvokeProvider.ChildItem.Get is what Get-ChildItem runs: FileInfo and DirectoryInfo
        // objects decorated with PSPath ("Microsoft.PowerShell.Core\FileSystem::/..."), PSIsContainer and so on.
        var result = _ps.Run(
            "$ExecutionContext.InvokeProvider.ChildItem.Get($dir, $false) | Test-FileActive | Where-Object IsActive -eq $false",
            ("dir", _data.Root));
        var pspath = _ps.Run("@($ExecutionContext.InvokeProvider.ChildItem.Get($dir, $false))[0].PSPath", ("dir", _data.Root));

        Assert.Empty(result.Errors);
        Assert.StartsWith("Microsoft.PowerShell.Core\\FileSystem::", pspath.Strings.Single(), StringComparison.Ordinal);
        Assert.Equal(SampleData.Complete, Names(result));
    }

    [Fact]
    public void Each_object_carries_its_reasons_group_and_file_facts()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $dir", ("dir", _data.Root));
        var byName = result.Output.ToDictionary(o => Path.GetFileName((string)o.Properties["Path"].Value));

        Assert.Equal(SampleData.TopLevelFileCount, byName.Count);
        var today = byName["ticker_20251114.jsonl"];
        Assert.Equal("Latest, TornTail", ListOf(today, "Reasons"));
        Assert.Equal("ticker", today.Properties["Group"].Value);
        Assert.Equal(new FileInfo(_data.PathOf("ticker_20251114.jsonl")).Length, today.Properties["Length"].Value);
        Assert.Equal(true, today.Properties["IsActive"].Value);
        Assert.Equal("TempName", ListOf(byName["temp_upload.csv"], "Reasons"));
        Assert.Equal("PipelineOps.Files.FileActivity", today.TypeNames[0]);
    }

    [Fact]
    public void A_directory_stands_for_its_files_with_Recurse_and_Filter()
    {
        var plain = _ps.Run("Test-FileActive $dir", ("dir", _data.Root));
        var recursed = _ps.Run("Test-FileActive $dir -Recurse", ("dir", _data.Root));
        var filtered = _ps.Run("Test-FileActive $dir -Recurse -Filter *.txt", ("dir", _data.Root));
        var piped = _ps.Run("[System.IO.DirectoryInfo]::new($dir) | Test-FileActive", ("dir", _data.Root));

        Assert.Equal(SampleData.TopLevelFileCount, plain.Output.Count);
        Assert.Equal(SampleData.TopLevelFileCount + 1, recursed.Output.Count);
        Assert.Equal(["level2_20251101.txt", "level2_20251113.txt", "level2_20251114.txt"], Names(filtered));
        Assert.Equal(Names(plain), Names(piped));
    }

    [Fact]
    public void Strings_bind_to_Path_and_wildcards_expand()
    {
        var piped = _ps.Run("$a, $b | Test-FileActive", ("a", _data.PathOf("level2_20251113.txt")), ("b", _data.PathOf("ticker_20251113.jsonl")));
        var wildcard = _ps.Run("Test-FileActive -Path \"$dir/level2_*\"", ("dir", _data.Root));

        Assert.Equal(["level2_20251113.txt", "ticker_20251113.jsonl"], Names(piped));
        Assert.Equal(["level2_20251113.txt", "level2_20251114.txt"], Names(wildcard));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_session_location()
    {
        var result = _ps.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($dir); Test-FileActive ./level2_20251113.txt", ("dir", _data.Root));

        Assert.Equal(_data.PathOf("level2_20251113.txt"), result.Output.Single().Properties["Path"].Value);
    }

    [Fact]
    public void Brackets_in_names_survive_LiteralPath_and_the_objects_pipe_back_in()
    {
        var literal = _ps.Run("Test-FileActive -LiteralPath $p", ("p", _data.PathOf("odd[1]_20251112.jsonl")));
        var again = _ps.Run("Test-FileActive -LiteralPath $dir | Test-FileActive", ("dir", _data.Root));

        Assert.Empty(literal.Errors);
        Assert.Equal(["odd[1]_20251112.jsonl"], Names(literal));
        Assert.Empty(again.Errors);
        Assert.Equal(Names(_ps.Run("Test-FileActive -LiteralPath $dir", ("dir", _data.Root))), Names(again));
    }

    [Theory]
    [InlineData("Path")]
    [InlineData("FullName")]
    [InlineData("PSPath")]
    public void Any_object_with_a_path_property_binds(string property)
    {
        var result = _ps.Run($"[pscustomobject]@{{ {property} = $p }} | Test-FileActive", ("p", _data.PathOf("level2_20251113.txt")));

        Assert.Empty(result.Errors);
        Assert.Equal(["level2_20251113.txt"], Names(result));
    }

    [Fact]
    public void A_missing_path_is_a_non_terminating_error_naming_it_and_the_batch_goes_on()
    {
        var missing = _data.PathOf("nope_20251113.txt");
        var result = _ps.Run("$a, $missing, $b | Test-FileActive",
            ("a", _data.PathOf("level2_20251113.txt")), ("missing", missing), ("b", _data.PathOf("ticker_20251113.jsonl")));

        var error = Assert.Single(result.Errors);
        Assert.Equal($"PathNotFound,{CommandType}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(missing, error.TargetObject);
        Assert.Contains(missing, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Output.Count);
    }

    [Fact]
    public void A_missing_literal_path_is_reported_the_same_way()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $p", ("p", _data.PathOf("gone[1].txt")));

        Assert.Equal($"PathNotFound,{CommandType}", Assert.Single(result.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_path_on_another_provider_is_refused()
    {
        var result = _ps.Run("Test-FileActive -Path Env:HOME");

        Assert.Equal($"NotFileSystemPath,{CommandType}", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Quiet_returns_only_booleans()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $a, $b -Quiet",
            ("a", _data.PathOf("level2_20251113.txt")), ("b", _data.PathOf("level2_20251114.txt")));

        Assert.Equal([false, true], result.Objects<bool>());
    }

    [Theory]
    [InlineData("600", true)]
    [InlineData("'10m'", true)]
    [InlineData("'00:10:00'", true)]
    [InlineData("([TimeSpan]::FromMinutes(10))", true)]
    [InlineData("0", false)]
    public void QuietPeriod_takes_durations_as_operators_type_them(string value, bool recent)
    {
        var path = _data.Write("fresh.txt", "x\n", DateTime.UtcNow.AddMinutes(-7));

        var result = _ps.Run($"Test-FileActive -LiteralPath $p -QuietPeriod {value} -Quiet", ("p", path));

        Assert.Equal([recent], result.Objects<bool>());
    }

    [Fact]
    public void A_duration_that_is_not_one_fails_binding()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $p -QuietPeriod 'soon'", ("p", _data.Root));

        var error = Assert.Single(result.Errors);
        Assert.Equal("ParameterArgumentTransformationError,PipelineOps.Commands.TestFileActiveCommand", error.FullyQualifiedErrorId);
        Assert.Contains("is not a duration", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void A_negative_duration_stops_the_command()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $p -QuietPeriod '-00:00:05'", ("p", _data.Root));

        Assert.Equal($"NegativeDuration,{CommandType}", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Verbose_says_why_each_active_file_is_held_back()
    {
        var result = _ps.Run("Test-FileActive -LiteralPath $p -Verbose", ("p", _data.PathOf("ticker_20251114.jsonl")));

        Assert.Contains(result.Verbose, v => v.Message.Contains("ticker_20251114.jsonl: active (Latest, TornTail)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_another_process_is_writing_is_OpenForWrite_with_the_writer_named()
    {
        var path = _data.PathOf("level2_20251113.txt");
        using var writer = WriterProcess.HoldOpen(path);

        var activity = _ps.Run("Test-FileActive -LiteralPath $p", ("p", path)).Output.Single();

        Assert.Equal("OpenForWrite", ListOf(activity, "Reasons"));
        Assert.Equal($"{writer.Id} sleep", ListOf(activity, "Writers"));
    }

    [Fact]
    public void StabilityWindow_fires_Growing_for_a_file_being_appended_and_not_for_a_still_one()
    {
        var growing = _data.PathOf("ticker_20251113.jsonl");
        using var appender = WriterProcess.KeepAppending(growing);

        var result = _ps.Run("Test-FileActive -LiteralPath $a, $b -StabilityWindow 1s -QuietPeriod 0 -IncludeLatest",
            ("a", growing), ("b", _data.PathOf("level2_20251113.txt")));
        var reasons = result.Output.ToDictionary(o => Path.GetFileName((string)o.Properties["Path"].Value), o => ListOf(o, "Reasons"));

        Assert.Contains("Growing", reasons["ticker_20251113.jsonl"], StringComparison.Ordinal);
        Assert.Equal("", reasons["level2_20251113.txt"]);
    }

    [Fact]
    public void Stopping_the_pipeline_ends_a_stability_wait()
    {
        using var shell = _ps.Start("Test-FileActive -LiteralPath $p -StabilityWindow 1h", ("p", _data.Root));
        var running = shell.BeginInvoke();
        while (shell.InvocationStateInfo.State != PSInvocationState.Running)
        {
            Thread.Sleep(20);
        }

        shell.Stop();

        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(2)), "the command did not stop");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }
}
