using Microsoft.IdentityModel.Protocols;

namespace NovaBrain.Security;

/// <summary>
/// Fetches discovery documents from the auth service inside the platform. The discovery document names the
/// public (gateway) address in <c>jwks_uri</c>, which a service may not reach, so every address is sent to the
/// authority's scheme, host and port, keeping its path.
/// </summary>
internal sealed class AuthorityDocumentRetriever(IHttpClientFactory httpClientFactory, Uri authority) : IDocumentRetriever
{
    public const string HttpClientName = "NovaBrain.Identity.Metadata";

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        var target = new UriBuilder(address) { Scheme = authority.Scheme, Host = authority.Host, Port = authority.Port }.Uri;
        using var client = httpClientFactory.CreateClient(HttpClientName);
        using var response = await client.GetAsync(target, cancel);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancel);
    }
}
