using System.Collections;
using System.Globalization;
using System.Management.Automation;
using PipelineOps.Paths;

namespace PipelineOps.Scheduling;

/// <summary>Register-PipelineJob: schedules a conversion, a sampler pass or a script (or the nightly preset: both).
/// Everything is checked now (trigger, zone, the action's parameters) so a typo fails here, not at 00:05.</summary>
[Cmdlet(VerbsLifecycle.Register, "PipelineJob", DefaultParameterSetName = ScriptSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Register-PipelineJob.md")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class RegisterPipelineJobCommand : SchedulerStoreCommand
{
    private const string ConvertSet = "Convert";
    private const string SampleSet = "Sample";
    private const string ScriptSet = "ScriptBlock";
    private const string FileSet = "FilePath";
    private const string PresetSet = "Preset";

    /// <summary>The nightly preset's times: the conversion at 00:05, the sampler every 5 minutes.</summary>
    private static readonly TimeOnly NightlyAt = new(0, 5);
    private static readonly TimeSpan NightlySampleEvery = TimeSpan.FromMinutes(5);

    [Parameter(Position = 0)]
    [ValidatePattern(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    public string? Name { get; set; }

    [Parameter]
    public string? Cron { get; set; }

    /// <summary>Daily at this local time (00:05); with -Once, the date and time of the one firing.</summary>
    [Parameter]
    public string? At { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan? Every { get; set; }

    [Parameter]
    public SwitchParameter Once { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeZone { get; set; } = "UTC";

    [Parameter]
    public DateTime? StartAt { get; set; }

    [Parameter]
    public DateTime? EndAt { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ConvertSet)]
    [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
    public Hashtable? Convert { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = SampleSet)]
    [Parameter(ParameterSetName = PresetSet)]
    public Hashtable? Sample { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ScriptSet)]
    public ScriptBlock? ScriptBlock { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    [ValidateNotNullOrEmpty]
    public string? FilePath { get; set; }

    [Parameter(ParameterSetName = ScriptSet)]
    [Parameter(ParameterSetName = FileSet)]
    public object[] ArgumentList { get; set; } = [];

    [Parameter(ParameterSetName = ScriptSet)]
    [Parameter(ParameterSetName = FileSet)]
    public Hashtable? Parameters { get; set; }

    /// <summary>Nightly: the conversion daily at 00:05 (in -TimeZone) and, with -Sample, the sampler every 5 minutes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
    [ValidateSet("Nightly")]
    public string? Preset { get; set; }

    /// <summary>Replace a job of the same name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var zone = Zone();
        var definitions = ParameterSetName == PresetSet ? PresetJobs(zone) : [Single(zone)];
        var scheduler = OpenScheduler(create: true);
        foreach (var definition in definitions)
        {
            if (!ShouldProcess($"{definition.Name} ({definition.Action}, {definition.Schedule.Describe()} {zone.Id}) in {scheduler.Store.Key}", "Register pipeline job"))
            {
                continue;
            }

            try
            {
                Await(scheduler.RegisterAsync(definition, Force, Cancellation));
            }
            catch (DuplicateJobException e)
            {
                WriteError(new ErrorRecord(e, "JobAlreadyExists", ErrorCategory.ResourceExists, definition.Name));
                continue;
            }

            WriteObject(Await(scheduler.GetJobsAsync(Cancellation)).FirstOrDefault(j => j.Name == definition.Name));
        }
    }

    private PipelineJobDefinition Single(TimeZoneInfo zone)
    {
        if (string.IsNullOrEmpty(Name))
        {
            Fail(new PSArgumentException("Give the job a -Name."), "NameMissing", Name);
        }

        var (action, payload) = ParameterSetName switch
        {
            ConvertSet => (JobActionKind.Convert, CmdletPayload(RunspaceJobRunner.ConvertCommand, Convert!)),
            SampleSet => (JobActionKind.Sample, CmdletPayload(RunspaceJobRunner.SampleCommand, Sample!)),
            _ => (JobActionKind.Script, ScriptPayload()),
        };
        return new PipelineJobDefinition(Name!, action, payload.ToJson(), Schedule(zone)) { Description = Description };
    }

    private List<PipelineJobDefinition> PresetJobs(TimeZoneInfo zone)
    {
        if (Cron is not null || At is not null || Every is not null || Once)
        {
            Fail(new PSArgumentException("-Preset Nightly sets its own times (conversion at 00:05, sampler every 5 minutes); leave out -Cron, -At, -Every and -Once."), "PresetTrigger", Preset);
        }

        var prefix = string.IsNullOrEmpty(Name) ? "Nightly" : Name;
        var jobs = new List<PipelineJobDefinition>
        {
            new(prefix + "-Convert", JobActionKind.Convert, CmdletPayload(RunspaceJobRunner.ConvertCommand, Convert!).ToJson(), Window(JobSchedule.Daily(NightlyAt, zone)))
            {
                Description = Description ?? "Nightly conversion of completed JSON-lines files to Parquet (00:05).",
            },
        };
        if (Sample is not null)
        {
            jobs.Add(new(prefix + "-Sample", JobActionKind.Sample, CmdletPayload(RunspaceJobRunner.SampleCommand, Sample).ToJson(), Window(JobSchedule.Every(NightlySampleEvery, zone)))
            {
                Description = Description ?? "Staging sampler pass every 5 minutes.",
            });
        }

        return jobs;
    }

    private JobSchedule Schedule(TimeZoneInfo zone)
    {
        var given = (Cron is null ? 0 : 1) + (At is null || Once ? 0 : 1) + (Every is null ? 0 : 1) + (Once ? 1 : 0);
        if (given != 1)
        {
            Fail(new PSArgumentException("Give exactly one trigger: -Cron, -At (daily), -Every or -Once."), "TriggerMissing", Name);
        }

        try
        {
            if (Cron is not null)
            {
                return Window(JobSchedule.Cron(Cron, zone));
            }

            if (Every is { } every)
            {
                return Window(JobSchedule.Every(every, zone));
            }

            if (Once)
            {
                var when = At is not null ? ParseInstant(At, zone) : StartAt is { } s ? Instant(s, zone) : DateTimeOffset.UtcNow;
                return JobSchedule.Once(when, zone) with { EndAt = EndAt is { } e ? Instant(e, zone) : null };
            }

            if (!TimeOnly.TryParse(At, CultureInfo.InvariantCulture, out var at))
            {
                Fail(new PSArgumentException($"-At '{At}' is not a time of day; give it as HH:mm (00:05) or HH:mm:ss."), "InvalidTime", At);
            }

            return Window(JobSchedule.Daily(at, zone));
        }
        catch (FormatException e)
        {
            Fail(e, "InvalidCron", Cron);
            throw;
        }
        catch (ArgumentOutOfRangeException e)
        {
            Fail(e, "InvalidInterval", Every);
            throw;
        }
    }

    private JobSchedule Window(JobSchedule schedule) => schedule with
    {
        StartAt = StartAt is { } s ? Instant(s, schedule.TimeZone) : null,
        EndAt = EndAt is { } e ? Instant(e, schedule.TimeZone) : null,
    };

    /// <summary>A date and time the user typed is in the job's zone unless it says otherwise.</summary>
    private static DateTimeOffset Instant(DateTime value, TimeZoneInfo zone) => value.Kind switch
    {
        DateTimeKind.Utc => new DateTimeOffset(value),
        DateTimeKind.Local => new DateTimeOffset(value).ToUniversalTime(),
        _ => new DateTimeOffset(value, zone.GetUtcOffset(value)),
    };

    private DateTimeOffset ParseInstant(string text, TimeZoneInfo zone)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) && HasOffset(text))
        {
            return withOffset;
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return Instant(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        }

        Fail(new PSArgumentException($"-At '{text}' is not a date and time."), "InvalidTime", text);
        throw new InvalidOperationException();
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10;

    private TimeZoneInfo Zone()
    {
        try
        {
            return TimeZones.Find(TimeZone);
        }
        catch (TimeZoneNotFoundException e)
        {
            Fail(e, "UnknownTimeZone", TimeZone);
            throw;
        }
    }

    /// <summary>Checks a -Convert or -Sample hashtable against the cmdlet's own parameters (names, and that some
    /// parameter set has all it requires), and makes relative paths absolute: the scheduler runs elsewhere.</summary>
    private JobPayload CmdletPayload(string command, Hashtable parameters)
    {
        var info = InvokeCommand.GetCommand(command, CommandTypes.Cmdlet) ?? throw new InvalidOperationException($"{command} is not loaded.");
        var known = info.Parameters.Values.ToList();
        var payload = new JobPayload();
        foreach (DictionaryEntry entry in parameters)
        {
            var key = System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            var parameter = known.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(key, StringComparer.OrdinalIgnoreCase));
            if (parameter is null || parameter.Name is "WhatIf" or "Confirm")
            {
                Fail(new PSArgumentException($"{command} has no parameter '{key}'. Its parameters: {string.Join(", ", known.Where(p => !IsCommon(p.Name)).Select(p => p.Name))}."),
                    "UnknownJobParameter", key);
            }

            payload.Parameters[parameter!.Name] = parameter.Name is "Path" or "LiteralPath" or "Destination" or "Root" or "Manifest"
                ? AbsolutePaths(entry.Value)
                : entry.Value;
        }

        var given = payload.Parameters.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var satisfied = info.ParameterSets.Any(set => set.Parameters.Where(p => p.IsMandatory).All(p => given.Contains(p.Name)));
        if (!satisfied)
        {
            var sets = info.ParameterSets.Select(set => string.Join(", ", set.Parameters.Where(p => p.IsMandatory).Select(p => p.Name)));
            Fail(new PSArgumentException($"{command} needs more parameters: give one of these sets: {string.Join("; or ", sets.Distinct())}."),
                "MissingJobParameter", command);
        }

        return payload;
    }

    private object? AbsolutePaths(object? value) => (value is PSObject ps ? ps.BaseObject : value) switch
    {
        string text => SessionState.Path.GetUnresolvedProviderPathFromPSPath(text),
        IEnumerable items => items.Cast<object?>().Select(AbsolutePaths).ToArray(),
        var other => other,
    };

    private JobPayload ScriptPayload()
    {
        var payload = new JobPayload
        {
            Script = ScriptBlock?.ToString(),
            FilePath = FilePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(FilePath),
        };
        if (payload.FilePath is { } file && !File.Exists(file))
        {
            Fail(new FileNotFoundException($"Cannot find the script '{file}'.", file), "ScriptNotFound", file);
        }

        if (ScriptBlock is not null)
        {
            try
            {
                _ = System.Management.Automation.ScriptBlock.Create(payload.Script!);
            }
            catch (ParseException e)
            {
                Fail(e, "InvalidScript", Name);
            }
        }

        payload.Arguments.AddRange(ArgumentList);
        if (Parameters is not null)
        {
            foreach (DictionaryEntry entry in Parameters)
            {
                payload.Parameters[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = entry.Value;
            }
        }

        return payload;
    }

    private static bool IsCommon(string name) => name is "Verbose" or "Debug" or "ErrorAction" or "WarningAction" or "InformationAction" or "ProgressAction"
        or "ErrorVariable" or "WarningVariable" or "InformationVariable" or "OutVariable" or "OutBuffer" or "PipelineVariable" or "WhatIf" or "Confirm";

    private void Fail(Exception e, string id, object? target) =>
        ThrowTerminatingError(new ErrorRecord(e, id, ErrorCategory.InvalidArgument, target));
}
