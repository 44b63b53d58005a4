namespace NovaBrain.Security;

/// <summary>
/// The platform's permissions, named <c>resource:action</c>. Tokens carry them as <see cref="NovaBrainClaimTypes.Permission"/>
/// claims; endpoints require them with <c>RequirePermission</c>.
/// </summary>
public static class Permissions
{
    public const string ModelsRead = "models:read";
    public const string ModelsWrite = "models:write";
    public const string ModelsApprove = "models:approve";
    public const string DeploymentsManage = "deployments:manage";
    public const string InferenceInvoke = "inference:invoke";
    public const string TrainingSubmit = "training:submit";
    public const string DataRun = "data:run";
    public const string ParamsRead = "params:read";
    public const string ParamsWrite = "params:write";
    public const string MonitoringRead = "monitoring:read";
    public const string AlertsManage = "alerts:manage";
    public const string LogsRead = "logs:read";
    public const string AuditRead = "audit:read";
    public const string UsersManage = "users:manage";
    public const string ClientsManage = "clients:manage";

    /// <summary>Held by the services' own clients only: lets a service ask the auth service who an API key belongs to.</summary>
    public const string ApiKeysValidate = "api-keys:validate";

    /// <summary>Every permission a role, a user, an API key or a client may be given.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        ModelsRead, ModelsWrite, ModelsApprove, DeploymentsManage, InferenceInvoke, TrainingSubmit, DataRun,
        ParamsRead, ParamsWrite, MonitoringRead, AlertsManage, LogsRead, AuditRead, UsersManage, ClientsManage,
        ApiKeysValidate,
    ];

    public static bool IsKnown(string permission) => All.Contains(permission, StringComparer.Ordinal);
}

/// <summary>The roles every installation starts with, and the permissions each grants.</summary>
public static class BuiltInRoles
{
    public const string Admin = "admin";
    public const string MlEngineer = "ml-engineer";
    public const string DataScientist = "data-scientist";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Grants = new Dictionary<string, IReadOnlyList<string>>
    {
        [Admin] = Permissions.All.Where(permission => permission != Permissions.ApiKeysValidate).ToArray(),
        [MlEngineer] =
        [
            Permissions.ModelsRead, Permissions.ModelsWrite, Permissions.DeploymentsManage, Permissions.InferenceInvoke,
            Permissions.TrainingSubmit, Permissions.DataRun, Permissions.ParamsRead, Permissions.ParamsWrite,
            Permissions.MonitoringRead, Permissions.AlertsManage, Permissions.LogsRead,
        ],
        [DataScientist] =
        [
            Permissions.ModelsRead, Permissions.ModelsWrite, Permissions.InferenceInvoke, Permissions.TrainingSubmit,
            Permissions.DataRun, Permissions.ParamsRead, Permissions.ParamsWrite, Permissions.MonitoringRead,
        ],
        [Viewer] = [Permissions.ModelsRead, Permissions.ParamsRead, Permissions.MonitoringRead, Permissions.LogsRead],
    };
}

/// <summary>
/// The audience of each NovaBrain API (<c>novabrain-{prefix}</c>, the prefix of <c>/api/{prefix}/...</c>) and the scope
/// (<c>api:{prefix}</c>) that asks for it. A token names the APIs it was requested for; without any <c>api:</c> scope it
/// names them all.
/// </summary>
public static class ApiAudiences
{
    public const string ScopePrefix = "api:";

    public static readonly IReadOnlyList<string> Prefixes = ["auth", "registry", "serving", "data", "training", "params", "monitoring", "logging"];

    public static string For(string apiPrefix) => $"novabrain-{apiPrefix}";

    public static string Scope(string apiPrefix) => ScopePrefix + apiPrefix;

    public static IReadOnlyList<string> All { get; } = Prefixes.Select(For).ToArray();
}

/// <summary>Claim types NovaBrain puts in tokens and principals, beside the standard <c>sub</c>, <c>name</c> and <c>email</c>.</summary>
public static class NovaBrainClaimTypes
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Email = "email";
    public const string Role = "role";
    public const string Permission = "permission";
    public const string ClientId = "client_id";
    public const string ApiKeyId = "api_key_id";
}
