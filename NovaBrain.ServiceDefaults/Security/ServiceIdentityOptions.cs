using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Security;

/// <summary>
/// Bound from the <c>Identity</c> configuration section: who issues the tokens a service accepts, where that
/// issuer answers inside the platform, and the service's own client for calling other services.
/// </summary>
public sealed class ServiceIdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>The issuer tokens name: the platform's public address (the gateway), e.g. <c>http://localhost:8080/</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "";

    /// <summary>The auth service as reached from inside the platform, through service discovery.</summary>
    [Required]
    public Uri Authority { get; set; } = new("http://auth");

    /// <summary>The audiences this service accepts: its own <c>novabrain-{prefix}</c>; the gateway accepts them all.</summary>
    public string[] Audiences { get; set; } = [];

    /// <summary>This service's confidential client (<c>svc-{resource name}</c>), for service-to-service calls.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>How long an API key's validation, valid or not, is reused before auth is asked again.</summary>
    [Range(0, 3600)]
    public int ApiKeyCacheSeconds { get; set; } = 10;
}
