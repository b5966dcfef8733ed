using Quartz;
using Quartz.Extensibility;

namespace PipelineOps.Scheduling;

/// <summary>The one Quartz job type: it reads the definition from the job's data and runs it through the
/// scheduler (which records the run and calls the runner).</summary>
internal sealed class QuartzPipelineJob(PipelineScheduler owner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var definition = JobData.Read(context.JobDetail);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken);
        await owner.ExecuteAsync(definition, context.FireInstanceId, context.ScheduledFireTimeUtc, context.Recovering ? "Recovered" : "Scheduled", linked.Token).ConfigureAwait(false);
    }
}

/// <summary>Hands Quartz jobs that know their scheduler.</summary>
internal sealed class PipelineJobFactory(PipelineScheduler owner) : IJobFactory
{
    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JobScope(new QuartzPipelineJob(owner), null!));

    public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Records the firings Quartz drops because the previous run is still going (OverlapPolicy.Skip).</summary>
internal sealed class SkippedFiringListener(PipelineScheduler owner) : ITriggerListener
{
    public string Name => "PipelineOps.SkippedFirings";

    public ValueTask TriggerFired(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask TriggerSkipped(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken) =>
        await owner.RecordSkippedAsync(trigger.JobKey.Name, trigger.NextFireTimeUtc, cancellationToken).ConfigureAwait(false);

    public ValueTask TriggerComplete(ITrigger trigger, IJobExecutionContext context, SchedulerInstruction triggerInstructionCode, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask TriggerRetriesExhausted(ITrigger trigger, IJobExecutionContext context, JobExecutionException exception, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A definition's place in Quartz's job data: plain strings, so any store keeps them as text.</summary>
internal static class JobData
{
    public const string Group = "PipelineOps";

    public static JobDataMap Write(PipelineJobDefinition definition)
    {
        var data = new Dictionary<string, string>
        {
            ["action"] = definition.Action.ToString(),
            ["payload"] = definition.Payload,
        };
        definition.Schedule.ToData(data);
        var map = new JobDataMap();
        foreach (var (key, value) in data)
        {
            map.Add(key, value);
        }

        return map;
    }

    public static PipelineJobDefinition Read(IJobDetail detail)
    {
        var data = detail.JobDataMap.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
        return new PipelineJobDefinition(detail.Key.Name, Enum.Parse<JobActionKind>(data["action"]), data["payload"], JobSchedule.FromData(data))
        {
            Description = string.IsNullOrEmpty(detail.Description) ? null : detail.Description,
        };
    }
}
