using System.Globalization;
using System.Text;

namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>
/// Turns what the app model puts in an environment variable or argument (text, parameters, endpoint references,
/// connection strings, expressions over them) into its <see cref="ClusterValue"/>: endpoints become Service DNS names
/// and ports, parameters become deployment inputs.
/// </summary>
public sealed class ClusterValueResolver(ClusterEndpoints endpoints)
{
    private const string UriFormat = "uri";

    public ClusterValue Resolve(object? value) => value switch
    {
        null => ClusterValue.Empty,
        string text => ClusterValue.Of(text),
        // Before connection strings: a connection string given as a parameter is an input like any other.
        ParameterResource parameter => ClusterValue.Of(new DeploymentInput(parameter.Name, parameter.Secret)),
        ConnectionStringReference reference => Resolve(reference.Resource.ConnectionStringExpression),
        IResourceWithConnectionString resource => Resolve(resource.ConnectionStringExpression),
        EndpointReference endpoint => Resolve(endpoint.Property(EndpointProperty.Url)),
        EndpointReferenceExpression property => Resolve(property),
        ReferenceExpression expression => Resolve(expression),
        IFormattable formattable => ClusterValue.Of(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => throw new KubernetesPublishingException($"A value of type {value.GetType().Name} cannot be published to Kubernetes."),
    };

    private ClusterValue Resolve(EndpointReferenceExpression property)
    {
        var endpoint = endpoints.Of(property.Endpoint.Resource, property.Endpoint.EndpointName);
        var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        return ClusterValue.Of(property.Property switch
        {
            EndpointProperty.Url => $"{endpoint.Scheme}://{endpoint.Host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => endpoint.Host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{endpoint.Host}:{port}",
            EndpointProperty.Scheme => endpoint.Scheme,
            // Services speak plain TCP inside the namespace; TLS ends at the ingress.
            EndpointProperty.TlsEnabled => bool.FalseString,
            _ => throw new KubernetesPublishingException($"Endpoint property {property.Property} cannot be published to Kubernetes."),
        });
    }

    private ClusterValue Resolve(ReferenceExpression expression)
    {
        if (expression.IsConditional)
        {
            var condition = Resolve(expression.Condition);
            if (!condition.IsText)
            {
                throw new KubernetesPublishingException($"The condition of '{expression.ValueExpression}' depends on a deployment input.");
            }

            var chosen = string.Equals(condition.AsText(), expression.MatchValue, StringComparison.OrdinalIgnoreCase)
                ? expression.WhenTrue
                : expression.WhenFalse;
            return chosen is null ? ClusterValue.Empty : Resolve(chosen);
        }

        var parts = new List<ClusterValue>();
        var format = expression.Format;
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = format.IndexOf('}', i);
            var placeholder = format[(i + 1)..end];
            var index = int.Parse(placeholder.Split(':')[0], CultureInfo.InvariantCulture);
            parts.Add(ClusterValue.Of(literal.ToString()));
            literal.Clear();
            var resolved = Resolve(expression.ValueProviders[index]);
            // A URI-encoded input is passed as it is: inputs must then be URI-safe, as generated passwords are.
            parts.Add(expression.StringFormats[index] == UriFormat && resolved.IsText
                ? ClusterValue.Of(Uri.EscapeDataString(resolved.AsText()))
                : resolved);
            i = end;
        }

        parts.Add(ClusterValue.Of(literal.ToString()));
        return Merge(ClusterValue.Concat(parts));
    }

    private static ClusterValue Merge(ClusterValue value)
    {
        var merged = new List<ClusterValue.Part>();
        foreach (var part in value.Parts)
        {
            if (part is ClusterValue.Text { Value.Length: 0 })
            {
                continue;
            }

            if (part is ClusterValue.Text text && merged is [.., ClusterValue.Text previous])
            {
                merged[^1] = new ClusterValue.Text(previous.Value + text.Value);
                continue;
            }

            merged.Add(part);
        }

        return new ClusterValue(merged);
    }
}
