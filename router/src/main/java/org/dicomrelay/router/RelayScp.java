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
    private final RepeatingLog refusals = new RepeatingLog(LOG, Duration.ofMinutes(1));

    RelayScp(RouterConfig config, RoutingTable routes) {
        this(config, routes, new Authority(), LocalDevices.of(config));
    }

    RelayScp(RouterConfig config, RoutingTable routes, Authority authority, LocalDevices devices) {
        this.devices = devices;
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
        if (!fromDeviceHost(device, socket)) {
            // An AE title alone is easy to claim: the device must also call from its own address.
            LOG.log(System.Logger.Level.WARNING, "refused association from " + calling + " at " + socket.getRemoteSocketAddress()
                    + ": not the address of device " + calling + " (" + device.host() + ")");
            throw reject(AAssociateRj.CALLING_AE_TITLE_NOT_RECOGNIZED);
        }
        if (!called.equals(config.aeTitle()) && routes.route(called).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "refused association from " + calling + " to " + called
                    + ": called AE title is not in the routing table");
            throw reject(AAssociateRj.CALLED_AE_TITLE_NOT_RECOGNIZED);
        }
        return contexts.negotiate(rq, socket);
    }

    /** The device's configured host ("*" for any) resolves to the address the association comes from. */
    private static boolean fromDeviceHost(org.dicomrelay.router.config.Device device, Socket socket) {
        if ("*".equals(device.host())) return true;
        java.net.InetAddress peer = socket.getInetAddress();
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(device.host())) {
                if (a.equals(peer)) return true;
            }
        } catch (java.net.UnknownHostException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot resolve host " + device.host() + " of device " + device.aeTitle());
        }
        return false;
    }

    private static AssociationRejectedException reject(int reason) {
        return new AssociationRejectedException(new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_SERVICE_USER, reason));
    }
}
