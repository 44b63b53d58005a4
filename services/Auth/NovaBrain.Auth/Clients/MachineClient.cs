namespace NovaBrain.Auth.Clients;

/// <summary>
/// The permissions of a client-credentials client. The client itself (id, hashed secret or JWKS, grants) is an
/// OpenIddict application with the same client id.
/// </summary>
public sealed class MachineClient
{
    public required string ClientId { get; set; }

    public List<string> Permissions { get; set; } = [];

    /// <summary>The services' own clients (<c>svc-*</c>) are seeded from configuration and not managed by the API.</summary>
    public bool IsServiceClient { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
