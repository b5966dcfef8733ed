using System.Collections.ObjectModel;

namespace PipelineOps;

/// <summary>A read-only list on an output object whose text is its items joined by ", ": Export-Csv writes
/// "Latest, TornTail" instead of a type name, while ConvertTo-Json and Where-Object still see a list.</summary>
public sealed class JoinedList<T> : ReadOnlyCollection<T>
{
    public JoinedList(IList<T> items)
        : base(items)
    {
    }

    public static JoinedList<T> Of(IEnumerable<T>? items) =>
        items as JoinedList<T> ?? new JoinedList<T>(items as IList<T> ?? [.. items ?? []]);

    public override string ToString() => string.Join(", ", this);
}
