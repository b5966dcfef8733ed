using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// Checks a feed's server certificate: the system's trust, plus certificates trusted for this feed alone (a private CA,
/// or the server's own self-signed certificate), or no check at all when asked. Remembers why the last certificate
/// was refused, so a failed connect can say it was the certificate, and what about it.
/// </summary>
public sealed class TlsTrust(string host, X509Certificate2Collection? trusted, bool skipCheck)
{
    /// <summary>Why the last server certificate was refused (null: none was).</summary>
    public string? LastProblem { get; private set; }

    /// <summary>The certificates in a PEM file (one or many, a CA bundle) or a DER file.</summary>
    /// <exception cref="InvalidDataException">The file holds no certificate.</exception>
    public static X509Certificate2Collection Load(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN", StringComparison.Ordinal))
            {
                certificates.ImportFromPemFile(path);
            }
            else
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(bytes));
            }
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{path}: not a certificate file (PEM or DER): {e.Message}", e);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidDataException($"{path}: no certificate in the file (a PEM file needs a -----BEGIN CERTIFICATE----- block).");
        }

        return certificates;
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (skipCheck)
        {
            return true;
        }

        if (certificate is null)
        {
            LastProblem = $"{host} sent no certificate";
            return false;
        }

        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        string? chainProblem = null;
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            chainProblem = Describe(chain);
            if (trusted is { Count: > 0 } mine)
            {
                if (TrustedHere(mine, server, chain, out var customProblem))
                {
                    errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                }
                else
                {
                    chainProblem = customProblem;
                }
            }
        }

        if (errors == SslPolicyErrors.None)
        {
            LastProblem = null;
            return true;
        }

        var what = $"the certificate of {host} (subject {server.Subject}, issued by {server.Issuer})";
        var problems = new List<string>();
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            problems.Add($"is not trusted: {chainProblem}{(trusted is { Count: > 0 } ? "" : "; -TrustedCertificatePath trusts a private CA or the server's own certificate for this feed")}");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            problems.Add($"does not name {host} (it is for {server.GetNameInfo(X509NameType.DnsName, false)})");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            problems.Add("was not available");
        }

        LastProblem = what + " " + string.Join(", and ", problems);
        return false;
    }

    /// <summary>The server certificate is one of ours, or chains up to one of ours.</summary>
    private static bool TrustedHere(X509Certificate2Collection mine, X509Certificate2 server, X509Chain? sent, out string? problem)
    {
        problem = null;
        if (mine.Any(t => t.RawDataMemory.Span.SequenceEqual(server.RawDataMemory.Span)))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(mine);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(server))
        {
            return true;
        }

        problem = Describe(chain) + " (not even with the certificates trusted for this feed)";
        return false;
    }

    private static string Describe(X509Chain? chain)
    {
        var statuses = chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => $"{s.Status} ({s.StatusInformation.Trim().TrimEnd('.')})").Distinct().ToList();
        return statuses is { Count: > 0 } ? string.Join("; ", statuses) : "the chain could not be built";
    }
}
