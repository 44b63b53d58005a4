using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Auth.Server;

public sealed class TokenOptions
{
    public const string SectionName = "Auth:Tokens";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);
}
