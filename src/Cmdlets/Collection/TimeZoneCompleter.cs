using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PipelineOps.Commands;

/// <summary>Tab completion of -TimeZone: the system's time zone ids (Europe/Berlin, America/New_York, UTC).</summary>
public sealed class TimeZoneCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        return TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Prepend("UTC").Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(id => id.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(id => new CompletionResult(id.Contains(' ', StringComparison.Ordinal) ? $"'{id}'" : id, id, CompletionResultType.ParameterValue, id));
    }
}
