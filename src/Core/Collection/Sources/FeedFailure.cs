using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;

namespace PipelineOps.Collection.Sources;

/// <summary>Why a feed connection failed or ended, in words a user can act on, and how long the server asked us to
/// wait before the next attempt (Retry-After).</summary>
public sealed class FeedFailure(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static FeedFailure HandshakeTimeout(Uri uri, TimeSpan timeout) =>
        new($"the opening handshake with {uri.Authority} did not complete within {Seconds(timeout)} (handshake timeout)");

    public static FeedFailure Stalled(TimeSpan timeout) => new($"no message for {Seconds(timeout)} (stalled)");

    public static FeedFailure ClosedByServer(WebSocketCloseStatus? status, string? reason) =>
        new($"the server closed the connection with code {(int?)status ?? 1005}{(status is { } s && Enum.IsDefined(s) ? $" ({s})" : "")}{(string.IsNullOrEmpty(reason) ? "" : $": {reason}")}");

    /// <summary>A failed connect, named for what it was: refused with an HTTP status, TLS, connection refused, ...</summary>
    public static FeedFailure OfConnect(Exception e, Uri uri, HttpStatusCode status, IReadOnlyDictionary<string, IEnumerable<string>>? headers, TlsTrust? tls)
    {
        if (status != 0 && status != HttpStatusCode.SwitchingProtocols)
        {
            var retryAfter = RetryAfterOf(headers, DateTimeOffset.UtcNow);
            var wait = retryAfter is { } r ? $"; it asked to retry after {Seconds(r)}" : "";
            return new FeedFailure($"the server refused the connection with HTTP status {(int)status} ({status}){wait}", retryAfter, e);
        }

        if (Find<AuthenticationException>(e) is { } tlsError)
        {
            return new FeedFailure($"TLS with {uri.Host} failed: {tls?.LastProblem ?? tlsError.Message}", null, e);
        }

        if (Find<SocketException>(e) is { } socket)
        {
            return new FeedFailure($"cannot connect to {uri.Authority}: {socket.Message} ({socket.SocketErrorCode})", null, e);
        }

        return new FeedFailure($"cannot connect to {uri.Authority}: {Innermost(e).Message}", null, e);
    }

    /// <summary>A connection lost mid-feed without a close (reset, aborted, protocol error).</summary>
    public static FeedFailure Lost(Exception e) => new($"the connection was lost: {Innermost(e).Message}", null, e);

    /// <summary>Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfterOf(IReadOnlyDictionary<string, IEnumerable<string>>? headers, DateTimeOffset now)
    {
        var value = headers?.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 86_400 * 365));
        }

        return DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at > now ? at - now : TimeSpan.Zero)
            : null;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    internal static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s");
}
