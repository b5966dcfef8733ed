using System.Management.Automation;
using PipelineOps.Text;

namespace PipelineOps.Paths;

/// <summary>
/// Lets duration parameters take what operators type: 90 (seconds), '30s', '5m', '2h', '00:05:00', or a
/// [TimeSpan]. Without it PowerShell would read a bare number as ticks.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case null:
                return TimeSpan.Zero;
            case TimeSpan span:
                return span;
            case decimal days:
                // PowerShell reads an unquoted 7d as the decimal literal 7 (its d suffix): the user meant days.
                return TimeSpan.FromDays((double)days);
            case int or long or double or float or short or byte:
                return TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
            case string text when Duration.TryParse(text, out var parsed):
                return parsed;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is not a duration. Use seconds (90), a unit (30s, 5m, 2h, 1d) or a TimeSpan (00:05:00).");
        }
    }
}
