import CallKitEngine
import CallKitEngineDriver
import XCTest

/// The calling-framework policy: availability, the app's order, and the region.
final class BackendPolicyTests: XCTestCase {
    private typealias Environment = CallDriver.BackendPolicy.Environment

    private func environment(
        callKit: Bool = true, liveCommunicationKit: Bool = true, region: String? = "US", storefront: String? = nil
    ) -> Environment {
        Environment(
            hasCallKit: callKit, hasLiveCommunicationKit: liveCommunicationKit, regionCode: region,
            storefrontCountryCode: storefront)
    }

    func testDefaultPolicyPicksCallKitOutsideMainlandChina() {
        let choice = CallDriver.BackendPolicy().choose(for: environment(region: "DE", storefront: "DEU"))
        XCTAssertEqual(choice, CallDriver.BackendChoice(backend: .callKit))
        XCTAssertTrue(choice.receivesVoIPPushes)
        XCTAssertEqual(choice.description, "callKit")
    }

    func testDefaultPolicyPassesOverCallKitInMainlandChinaForLiveCommunicationKit() {
        let policy = CallDriver.BackendPolicy()
        for (region, storefront) in [("CN", nil), ("cn", nil), ("US", "CHN"), (nil, "CHN")] as [(String?, String?)] {
            let choice = policy.choose(for: environment(region: region, storefront: storefront))
            XCTAssertEqual(choice.backend, .liveCommunicationKit, "region \(String(describing: region))")
            XCTAssertEqual(choice.passedOver.count, 1)
            guard case (.callKit, .restrictedRegion)? = choice.passedOver.first else {
                return XCTFail("CallKit should be passed over for the region: \(choice)")
            }
        }
    }

    func testHongKongAndMacauKeepCallKit() {
        let policy = CallDriver.BackendPolicy()
        XCTAssertEqual(policy.choose(for: environment(region: "HK", storefront: "HKG")).backend, .callKit)
        XCTAssertEqual(policy.choose(for: environment(region: "MO")).backend, .callKit)
    }

    func testMainlandChinaBeforeIOS17_4FallsBackToTheAppsOwnUIWithoutVoIPPushes() {
        let choice = CallDriver.BackendPolicy().choose(for: environment(liveCommunicationKit: false, region: "CN"))
        XCTAssertEqual(
            choice,
            CallDriver.BackendChoice(
                backend: .inApp,
                passedOver: [(.callKit, .restrictedRegion("CN")), (.liveCommunicationKit, .unavailable)]))
        XCTAssertFalse(choice.receivesVoIPPushes)
        XCTAssertEqual(choice.description, "inApp (callKit restricted in CN, liveCommunicationKit unavailable)")
    }

    func testUnknownRegionCountsAsRestrictedUnlessThePolicySaysOtherwise() {
        let unknown = environment(region: nil, storefront: nil)
        XCTAssertEqual(CallDriver.BackendPolicy().choose(for: unknown).backend, .liveCommunicationKit)
        var lenient = CallDriver.BackendPolicy()
        lenient.unknownRegionIsRestricted = false
        XCTAssertEqual(lenient.choose(for: unknown).backend, .callKit)
    }

    func testAppsOrderOfPreferenceComesFirst() {
        let policy = CallDriver.BackendPolicy(preferred: [.liveCommunicationKit, .callKit])
        XCTAssertEqual(policy.choose(for: environment()).backend, .liveCommunicationKit)
        XCTAssertEqual(policy.choose(for: environment(liveCommunicationKit: false)).backend, .callKit)
        let inAppFirst = CallDriver.BackendPolicy(preferred: [.inApp, .callKit])
        XCTAssertEqual(inAppFirst.choose(for: environment()).backend, .inApp)
    }

    func testNoAvailableBackendLeavesTheAppsOwnUI() {
        let policy = CallDriver.BackendPolicy(preferred: [.callKit])
        let choice = policy.choose(for: environment(callKit: false))
        XCTAssertEqual(choice, CallDriver.BackendChoice(backend: .inApp, passedOver: [(.callKit, .unavailable)]))
    }

    func testLiveCommunicationKitRestrictionsApplyWhenTheAppSetsThem() {
        var policy = CallDriver.BackendPolicy()
        policy.liveCommunicationKitRestrictedRegions = ["CN"]
        XCTAssertEqual(policy.choose(for: environment(region: "CN")).backend, .inApp)
    }

    func testCurrentEnvironmentReadsTheSystemsFrameworksAndTheStorefrontItIsGiven() {
        let current = Environment.current(storefrontCountryCode: "CHN")
        XCTAssertEqual(current.storefrontCountryCode, "CHN")
        XCTAssertTrue(current.hasCallKit, "the driver is built with CallKit (its Linux stub here)")
        XCTAssertTrue(current.hasLiveCommunicationKit, "the driver is built with LiveCommunicationKit")
        XCTAssertEqual(CallDriver.BackendPolicy().choose(for: current).backend, .liveCommunicationKit)
    }
}
