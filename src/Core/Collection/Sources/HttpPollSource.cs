using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace PipelineOps.Collection.Sources;

/// <summary>Polls a JSON endpoint every interval: an array becomes one record per element, an object one record.
/// Failed polls are reported and retried at the next interval. Request headers, TLS trust and a client certificate work
/// as for a WebSocket feed.</summary>
public sealed class HttpPollSource(
    Uri uri,
    TimeSpan interval,
    IReadOnlyDictionary<string, string>? headers = null,
    TlsTrust? tls = null,
    X509Certificate2Collection? clientCertificates = null) : IRecordSource
{
    public string Description => uri.ToString();

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler();
        if (tls is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = tls.Validate;
        }

        if (clientCertificates is { Count: > 0 })
        {
            handler.SslOptions.ClientCertificates = clientCertificates;
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(Math.Max(5, interval.TotalSeconds)) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                var body = await http.GetByteArrayAsync(uri, cancellationToken);
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                {
                    foreach (var element in document.RootElement.EnumerateArray())
                    {
                        await context.EmitAsync(JsonSerializer.SerializeToUtf8Bytes(element), cancellationToken);
                    }
                }
                else
                {
                    await context.EmitAsync(body, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException)
            {
                context.Error($"{uri}: {FeedFailure.OfConnect(e, uri, 0, null, tls).Message}; polling again in {interval.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
            {
                context.Error($"{uri}: {e.Message}; polling again in {interval.TotalSeconds:0.#} s");
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
