// Linux stand-in for Apple's UIKit: exactly the API the documentation's app wiring uses
// (the AppDelegate and SceneDelegate of docs/ios-integration.md, compiled by
// swift/Tests/DocSnippetTests), with Apple's documented Swift signatures and main-actor
// isolation, so the snippets are type-checked here. Nothing here does anything: it is
// never linked into an app (Package.swift uses this target only on Linux).
//
// UIKit re-exports Foundation, whose `NSUserActivity` the Intents stub declares (it has
// none in swift-corelibs-foundation); so does this module.

@_exported import Foundation
@_exported import Intents

/// An abstract interface for responding to and handling events.
/// https://developer.apple.com/documentation/uikit/uiresponder
@MainActor
open class UIResponder: NSObject {
    override public init() {}
}

/// The centralized point of control and coordination for apps running in iOS.
/// https://developer.apple.com/documentation/uikit/uiapplication
@MainActor
open class UIApplication: UIResponder {
    /// The singleton app instance.
    /// https://developer.apple.com/documentation/uikit/uiapplication/shared
    public static let shared = UIApplication()

    /// The delegate of the app object.
    /// https://developer.apple.com/documentation/uikit/uiapplication/delegate
    public weak var delegate: (any UIApplicationDelegate)?

    /// Keys used to access values in the launch options dictionary.
    /// https://developer.apple.com/documentation/uikit/uiapplication/launchoptionskey
    public struct LaunchOptionsKey: Hashable, RawRepresentable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }
}

/// A set of methods to manage shared behaviors for your app.
/// https://developer.apple.com/documentation/uikit/uiapplicationdelegate
@MainActor
public protocol UIApplicationDelegate: NSObjectProtocol {
    /// Tells the delegate that the launch process is almost done and the app is almost
    /// ready to run.
    /// https://developer.apple.com/documentation/uikit/uiapplicationdelegate/application(_:didfinishlaunchingwithoptions:)
    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]?
    ) -> Bool
}

/// An object that represents one instance of your app's user interface.
/// https://developer.apple.com/documentation/uikit/uiscene
@MainActor
open class UIScene: UIResponder {
    /// Data that UIKit passes to the scene (`scene(_:willConnectTo:options:)`).
    /// https://developer.apple.com/documentation/uikit/uiscene/connectionoptions
    open class ConnectionOptions: NSObject {
        /// The user activities to handle, such as a call from Recents.
        /// https://developer.apple.com/documentation/uikit/uiscene/connectionoptions/useractivities
        open var userActivities: Set<NSUserActivity> { [] }
    }
}

/// An object that contains information about one of your app's scenes.
/// https://developer.apple.com/documentation/uikit/uiscenesession
@MainActor
open class UISceneSession: NSObject {}

/// The core methods you use to respond to life-cycle events occurring within a scene.
/// https://developer.apple.com/documentation/uikit/uiscenedelegate
@MainActor
public protocol UISceneDelegate: NSObjectProtocol {
    /// Tells the delegate about the addition of a scene to the app.
    /// https://developer.apple.com/documentation/uikit/uiscenedelegate/scene(_:willconnectto:options:)
    func scene(
        _ scene: UIScene, willConnectTo session: UISceneSession,
        options connectionOptions: UIScene.ConnectionOptions)

    /// Tells the delegate to handle the specified Handoff-related activity.
    /// https://developer.apple.com/documentation/uikit/uiscenedelegate/scene(_:continue:)
    func scene(_ scene: UIScene, continue userActivity: NSUserActivity)
}

/// Additional methods that you use to manage app-specific tasks occurring in a scene.
/// https://developer.apple.com/documentation/uikit/uiwindowscenedelegate
@MainActor
public protocol UIWindowSceneDelegate: UISceneDelegate {
    /// The main window associated with the scene.
    /// https://developer.apple.com/documentation/uikit/uiwindowscenedelegate/window
    var window: UIWindow? { get set }
}

/// The backdrop for your app's user interface.
/// https://developer.apple.com/documentation/uikit/uiwindow
@MainActor
open class UIWindow: UIResponder {}
