namespace NovaBrain.Security;

/// <summary>The authentication schemes every service registers.</summary>
public static class NovaBrainAuthenticationSchemes
{
    /// <summary>The default: forwards to <see cref="ApiKey"/> when the request carries a key, else to <see cref="Bearer"/>.</summary>
    public const string Default = "NovaBrain";

    /// <summary>JWT access tokens issued by the auth service.</summary>
    public const string Bearer = "Bearer";

    /// <summary><c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>.</summary>
    public const string ApiKey = "ApiKey";
}
