package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationRejectedException;
import org.dicomrelay.dicom.net.CallerLimit;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;

import java.net.Socket;
import java.time.Duration;

/**
 * The router as local devices see it: a DICOM node that answers to the remote AE titles of its
 * routing table (and to its own title, for C-ECHO and the instances a PACS sends it during a
 * relayed retrieve). Devices not in the local table, and AE titles not in the routing table,
 * are refused at association time, and the refusal is logged. A device that already holds
 * {@code associations.maxPerDevice} associations is refused for the time being (the server's
 * {@link CallerLimit}), logged once per device and minute with a count.
 */
final class RelayScp implements Association.Negotiator {
    private static final System.Logger LOG = System.getLogger(RelayScp.class.getName());
    /** A device over its limit tends to retry in a tight loop: one line, then a count per minute. */
    private static final Duration LIMIT_LOG_PERIOD = Duration.ofMinutes(1);

    private final RouterConfig config;
    private final RoutingTable routes;
    private final LocalDevices devices;
    private final ApplicationEntity contexts;
    private final RepeatingLog overLimit = new RepeatingLog(LOG, LIMIT_LOG_PERIOD);
    private final Authority authority;
    private final RouterMetrics metrics;
    private final RepeatingLog refusals = new RepeatingLog(LOG, Duration.ofMinutes(1));

    RelayScp(RouterConfig config, RoutingTable routes, Authority authority, LocalDevices devices, RouterMetrics metrics) {
        this.devices = devices;
        this.metrics = metrics;
        this.config = config;
        this.routes = routes;
        this.authority = authority;
        // What is relayed is relayed as it is: every SOP class, every transfer syntax proposed.
        this.contexts = new ApplicationEntity(config.aeTitle()).accept(ApplicationEntity.ANY, ApplicationEntity.ANY)
                .acceptAnyCalledAeTitle(true);
    }

    ApplicationEntity contexts() { return contexts; }

    /** At most {@code associations.maxPerDevice} associations per device (calling AE title and address). */
    CallerLimit callerLimit() {
        int max = config.associations().maxPerDevice();
        if (max >= Router.MAX_ASSOCIATIONS) {
            LOG.log(System.Logger.Level.WARNING, "associations.maxPerDevice is " + max + ", not below the router's " + Router.MAX_ASSOCIATIONS
                    + " associations in all: one device can hold them all and lock the others out");
        }
        return new CallerLimit(max, caller -> overLimit.occurred(caller.toString(), System.Logger.Level.WARNING,
                "refused association from " + caller + ": it already holds " + max
                        + " associations (associations.maxPerDevice); A-ASSOCIATE-RJ transient, local limit exceeded"));
    }

    @Override public AAssociateAc negotiate(AAssociateRq rq, Socket socket) throws AssociationRejectedException {
        String called = rq.calledAeTitle(), calling = rq.callingAeTitle();
        if (authority.revoked()) {
            // Refused at the door, permanently: nothing taken now could be delivered (PS3.8 §7.1.1.7).
            refusals.occurred("revoked", System.Logger.Level.WARNING, "refused association from " + calling + " at "
                    + socket.getRemoteSocketAddress() + " to " + called + ": " + Authority.REFUSED + ", refusing new work");
            throw reject(AAssociateRj.NO_REASON);
        }
        org.dicomrelay.router.config.Device device = devices.find(calling).orElse(null);
        if (device == null) {
            LOG.log(System.Logger.Level.WARNING, "refused association from " + calling + " at " + socket.getRemoteSocketAddress()
                    + ": calling AE title is not in the local devices table");
            throw reject(AAssociateRj.CALLING_AE_TITLE_NOT_RECOGNIZED);
        }
        java.util.List<java.net.InetAddress> expected = deviceAddresses(device);
        if (expected != null && !expected.contains(socket.getInetAddress())) {
            // An AE title alone is easy to claim: the device must also call from its own address. The title is known, so
            // "calling AE title not recognized" would mislead; PS3.8 (Table 9-21) has no reason for an address, hence no-reason-given.
            LOG.log(System.Logger.Level.WARNING, "refused association from " + calling + " at " + socket.getRemoteSocketAddress()
                    + ": AE title " + calling + " is a known device, but the call comes from address " + socket.getInetAddress().getHostAddress()
                    + ", not from its configured host " + device.host() + " (" + (expected.isEmpty() ? "which does not resolve"
                    : expected.stream().map(java.net.InetAddress::getHostAddress).collect(java.util.stream.Collectors.joining(", ")))
                    + "); fix the device's host in the router's configuration, or call from that host. A-ASSOCIATE-RJ permanent, no reason given");
            throw reject(AAssociateRj.NO_REASON);
        }
        if (!called.equals(config.aeTitle()) && routes.route(called).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "refused association from " + calling + " to " + called
                    + ": called AE title is not in the routing table");
            throw reject(AAssociateRj.CALLED_AE_TITLE_NOT_RECOGNIZED);
        }
        AAssociateAc ac = contexts.negotiate(rq, socket);
        metrics.association(calling);
        return ac;
    }

    /** The addresses the device's configured host resolves to (empty: none), or null for "*" (any address). */
    private static java.util.List<java.net.InetAddress> deviceAddresses(org.dicomrelay.router.config.Device device) {
        if ("*".equals(device.host())) return null;
        try {
            return java.util.List.of(java.net.InetAddress.getAllByName(device.host()));
        } catch (java.net.UnknownHostException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot resolve host " + device.host() + " of device " + device.aeTitle());
            return java.util.List.of();
        }
    }

    private static AssociationRejectedException reject(int reason) {
        return new AssociationRejectedException(new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_SERVICE_USER, reason));
    }
}
