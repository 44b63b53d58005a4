using System.Net;
using System.Net.Http.Headers;

namespace NovaBrain.Security;

/// <summary>Sends this service's client-credentials token with every request of the HttpClient it is added to.</summary>
public sealed class ServiceClientCredentialsHandler(ServiceTokenClient tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate(token);
        }
        return response;
    }
}
