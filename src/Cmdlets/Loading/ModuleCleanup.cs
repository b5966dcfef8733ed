namespace PipelineOps.Loading;

/// <summary>What Remove-Module stops: the collectors and schedulers the removing runspace started. Apart from
/// <see cref="ModuleInitializer"/> so that a removal without any of them never loads Core just to find none.</summary>
internal static class ModuleCleanup
{
    private static volatile bool s_schedulersUsed;
    private static volatile bool s_collectorsUsed;

    /// <summary>Set when a scheduler is first opened in this process.</summary>
    internal static void SchedulersUsed() => s_schedulersUsed = true;

    /// <summary>Set when a collector is first started in this process.</summary>
    internal static void CollectorsUsed() => s_collectorsUsed = true;

    internal static void StopOwnedBy(Guid runspace)
    {
        if (s_collectorsUsed)
        {
            StopCollectors(runspace);
        }

        if (s_schedulersUsed)
        {
            StopSchedulers(runspace);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void StopCollectors(Guid runspace) => Commands.CollectorRegistry.StopOwnedBy(runspace);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void StopSchedulers(Guid runspace) => Scheduling.SchedulerRegistry.StopOwnedBy(runspace);
}
