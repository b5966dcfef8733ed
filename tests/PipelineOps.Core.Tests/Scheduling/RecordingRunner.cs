using PipelineOps.Scheduling;

namespace PipelineOps.Tests.Scheduling;

/// <summary>A job runner for scheduler tests: records each run, can hold runs until released, honours cancellation,
/// and notes the most runs it saw at once.</summary>
internal sealed class RecordingRunner : IJobRunner
{
    private readonly object _gate = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _current;

    public bool Hold { get; set; }

    public List<string> Runs { get; } = [];

    public int MaxConcurrent { get; private set; }

    public int Started { get { lock (_gate) { return Runs.Count; } } }

    public void Release()
    {
        Hold = false;
        _release.TrySetResult();
    }

    public async Task<JobRunOutcome> RunAsync(PipelineJobDefinition job, JobRun run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Runs.Add(job.Name);
            _current++;
            MaxConcurrent = Math.Max(MaxConcurrent, _current);
        }

        try
        {
            if (Hold)
            {
                await _release.Task.WaitAsync(cancellationToken);
            }

            return new JobRunOutcome(true) { Output = "ran " + job.Name, Items = 1 };
        }
        finally
        {
            lock (_gate)
            {
                _current--;
            }
        }
    }
}
