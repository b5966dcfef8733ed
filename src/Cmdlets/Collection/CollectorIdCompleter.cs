using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PipelineOps.Commands;

/// <summary>Tab completion of -Id: the collectors started in this process, with their source and state.</summary>
public sealed class CollectorIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (var collector in CollectorRegistry.All)
        {
            var text = collector.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (text.StartsWith(wordToComplete, StringComparison.Ordinal))
            {
                yield return new CompletionResult(text, text, CompletionResultType.ParameterValue,
                    $"{collector.State}: {collector.Source} -> {collector.Directory}");
            }
        }
    }
}
