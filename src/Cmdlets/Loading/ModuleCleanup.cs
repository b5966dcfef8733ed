namespace PipelineOps.Loading;

/// <summary>What Remove-Module stops: the schedulers the removing runspace started. Apart from
/// <see cref="ModuleInitializer"/> so that a removal without any scheduler never loads Core just to find none.</summary>
internal static class ModuleCleanup
{
    private static volatile bool s_schedulersUsed;

    /// <summary>Set when a scheduler is first opened in this process.</summary>
    internal static void SchedulersUsed() => s_schedulersUsed = true;

    internal static void StopOwnedBy(Guid runspace)
    {
        if (s_schedulersUsed)
        {
            StopSchedulers(runspace);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void StopSchedulers(Guid runspace) => Scheduling.SchedulerRegistry.StopOwnedBy(runspace);
}
