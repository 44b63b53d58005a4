namespace NovaBrain.Auth.Bootstrap;

/// <summary>What an installation starts with: the first administrator, the CLI's client and the services' clients.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Auth";

    public AdminSettings Bootstrap { get; set; } = new();

    public CliSettings Cli { get; set; } = new();

    /// <summary>The services' own confidential clients (<c>svc-*</c>), passed in by the AppHost.</summary>
    public List<ServiceClientSettings> ServiceClients { get; set; } = [];

    public sealed class AdminSettings
    {
        /// <summary>Needed only while no <c>admin</c> user exists; never logged.</summary>
        public string? AdminPassword { get; set; }

        /// <summary>The administrator's email, treated as verified (the operator chose it).</summary>
        public string? AdminEmail { get; set; }
    }

    public sealed class CliSettings
    {
        public static readonly IReadOnlyList<Uri> DefaultRedirectUris =
            [new("http://127.0.0.1:8765/callback"), new("http://localhost:8765/callback")];

        /// <summary>Empty means <see cref="DefaultRedirectUris"/> (a list in configuration replaces it, not adds to it).</summary>
        public List<Uri> RedirectUris { get; set; } = [];

        public IReadOnlyList<Uri> EffectiveRedirectUris => RedirectUris.Count > 0 ? RedirectUris : DefaultRedirectUris;
    }

    public sealed class ServiceClientSettings
    {
        public string ClientId { get; set; } = "";

        public string Secret { get; set; } = "";

        /// <summary>Empty means <c>api-keys:validate</c>.</summary>
        public List<string> Permissions { get; set; } = [];

        public IReadOnlyList<string> EffectivePermissions =>
            Permissions.Count > 0 ? Permissions : [NovaBrain.Security.Permissions.ApiKeysValidate];
    }
}
