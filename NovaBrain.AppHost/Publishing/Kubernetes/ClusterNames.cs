namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>
/// Names and labels of the published objects, after Aspire's own Kubernetes publisher (<c>&lt;resource&gt;-deployment</c>,
/// <c>-service</c>, <c>-config</c>, <c>app.kubernetes.io/*</c> labels), so moving to it later changes little.
/// </summary>
public static class ClusterNames
{
    public const string Application = "novabrain";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "novabrain-publish";

    /// <summary>The ConfigMap of deployment inputs that are not secret (the issuer, say).</summary>
    public const string InputsConfigMap = "novabrain-inputs";

    /// <summary>The Secret of secret deployment inputs: passwords, client secrets, external connection strings.</summary>
    public const string InputsSecret = "novabrain-secrets";

    /// <summary>The annotation on <see cref="InputsSecret"/> listing the keys a deployment must supply.</summary>
    public const string RequiredKeysAnnotation = "novabrain.io/required-keys";

    public static string Deployment(string resource) => $"{resource}-deployment";

    public static string StatefulSet(string resource) => $"{resource}-statefulset";

    public static string Service(string resource) => $"{resource}-service";

    public static string ConfigMap(string resource) => $"{resource}-config";

    public static string Autoscaler(string resource) => $"{resource}-hpa";

    public static string DisruptionBudget(string resource) => $"{resource}-pdb";

    public static string Claim(string resource, string storage) => $"{resource}-{storage}";

    /// <summary>The Job template of a job manager, its ConfigMap, and the name its Jobs' pods are labelled with.</summary>
    public static string Job(string resource) => $"{resource}-job";

    public static string JobTemplate(string resource) => $"{resource}-job-template";

    /// <summary>The service account, Role and RoleBinding that let a job manager run Jobs.</summary>
    public static string JobRunner(string resource) => $"{resource}-job-runner";

    /// <summary>The variable a container gets an input in, for values that embed it as <c>$(NAME)</c>.</summary>
    public static string InputVariable(string key) =>
        "NOVABRAIN_INPUT_" + new string(key.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());

    /// <summary>The labels a workload selects its pods by; they never change, as selectors cannot.</summary>
    public static Dictionary<string, string> SelectorLabels(string resource) => new()
    {
        [NameLabel] = resource,
        [InstanceLabel] = Application,
    };

    public static Dictionary<string, string> Labels(string resource, string component) => new(SelectorLabels(resource))
    {
        [ComponentLabel] = component,
        [PartOfLabel] = Application,
        [ManagedByLabel] = ManagedBy,
    };
}

/// <summary>What a published resource is, in its <c>app.kubernetes.io/component</c> label.</summary>
public static class Components
{
    public const string Service = "service";
    public const string BackingServer = "backing-server";
    public const string Job = "job";
    public const string Inputs = "inputs";
    public const string Network = "network";
}
