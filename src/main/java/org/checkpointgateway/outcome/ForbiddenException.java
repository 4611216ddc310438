package org.checkpointgateway.outcome;

/** Valid credentials that do not grant the action. The message is the kubelet's text. */
public final class ForbiddenException extends GatewayException {
  public ForbiddenException(String user, String verb, String resource, String subresource) {
    super("Forbidden (user=" + user + ", verb=" + verb + ", resource=" + resource
        + ", subresource(s)=[" + subresource + "])");
  }

  @Override
  public String reason() {
    return "Forbidden";
  }
}
