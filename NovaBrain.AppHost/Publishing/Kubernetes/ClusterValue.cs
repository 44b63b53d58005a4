namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>A value the deployment supplies, by key in <see cref="ClusterNames.InputsSecret"/> or <see cref="ClusterNames.InputsConfigMap"/>.</summary>
public sealed record DeploymentInput(string Key, bool IsSecret);

/// <summary>
/// A setting's value as a pod in the cluster sees it: text, and inputs that only the deployment knows. Values are never
/// read from inputs, so nothing secret reaches a manifest.
/// </summary>
public sealed record ClusterValue(IReadOnlyList<ClusterValue.Part> Parts)
{
    public abstract record Part;

    public sealed record Text(string Value) : Part;

    public sealed record Input(DeploymentInput Source) : Part;

    public static ClusterValue Empty { get; } = new([]);

    public static ClusterValue Of(string text) => new([new Text(text)]);

    public static ClusterValue Of(DeploymentInput input) => new([new Input(input)]);

    public static ClusterValue Concat(IEnumerable<ClusterValue> values) => new(values.SelectMany(value => value.Parts).ToList());

    public IEnumerable<DeploymentInput> Inputs => Parts.OfType<Input>().Select(part => part.Source);

    public bool IsText => Parts.All(part => part is Text);

    /// <summary>The value when it is all text.</summary>
    public string AsText() => IsText
        ? string.Concat(Parts.Cast<Text>().Select(part => part.Value))
        : throw new InvalidOperationException("The value holds deployment inputs.");

    /// <summary>The input when the value is exactly one input and nothing else.</summary>
    public DeploymentInput? WholeInput => Parts is [Input input] ? input.Source : null;

    /// <summary>
    /// The value for a container's <c>env</c>, where Kubernetes expands <c>$(NAME)</c> from variables defined before it:
    /// each input becomes a reference to its <see cref="ClusterNames.InputVariable"/>, and a literal <c>$</c> is doubled.
    /// </summary>
    public string AsExpandedText() => string.Concat(Parts.Select(part => part switch
    {
        Text text => text.Value.Replace("$", "$$", StringComparison.Ordinal),
        Input input => $"$({ClusterNames.InputVariable(input.Source.Key)})",
        _ => throw new InvalidOperationException($"Unknown part {part}."),
    }));
}
