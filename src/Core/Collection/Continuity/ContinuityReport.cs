namespace PipelineOps.Collection.Continuity;

/// <summary>A stretch with no records for one product (or the whole stream when records carry no product).</summary>
public sealed record Gap(string? Product, DateTime From, DateTime To)
{
    /// <summary>The stream (file series) the gap is in, as on the report.</summary>
    public string? Stream { get; init; }

    public TimeSpan Length => To - From;

    // How a gap reads in Format-List * and in a joined list (Export-Csv of a report): when in UTC, how long, and
    // for which product (the stream when records carry no product).
    public override string ToString() =>
        FormattableString.Invariant($"{From:yyyy-MM-ddTHH:mm:ssZ} to {To:yyyy-MM-ddTHH:mm:ssZ} ({Length})") + ((Product ?? Stream) is { } who ? " " + who : "");
}

/// <summary>
/// What a stream's files cover. Score (0-100) = 100 x Coverage x Validity, where Coverage = 1 - (time inside gaps,
/// summed over products) / (span x products) and Validity = records / (records + bad lines): a stream with no gap
/// longer than the threshold and no bad line scores 100.
/// </summary>
public sealed record ContinuityReport(
    string Stream,
    IReadOnlyList<string> Files,
    long Records,
    long BadLines,
    IReadOnlyList<string> EmptyFiles,
    DateTime? Start,
    DateTime? End,
    IReadOnlyList<string> Products,
    IReadOnlyList<Gap> Gaps,
    long GapCount,
    TimeSpan GapTime,
    double Coverage,
    double Validity,
    double Score,
    IReadOnlyList<string> Problems)
{
    public IReadOnlyList<string> Files { get; init; } = JoinedList<string>.Of(Files);

    public IReadOnlyList<string> EmptyFiles { get; init; } = JoinedList<string>.Of(EmptyFiles);

    public IReadOnlyList<string> Products { get; init; } = JoinedList<string>.Of(Products);

    public IReadOnlyList<Gap> Gaps { get; init; } = JoinedList<Gap>.Of(Gaps);

    public IReadOnlyList<string> Problems { get; init; } = JoinedList<string>.Of(Problems);

    public TimeSpan Duration => Start is { } s && End is { } e ? e - s : TimeSpan.Zero;

    public override string ToString() => Stream;
}
